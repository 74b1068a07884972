import { Age } from '../domain/age.ts';
import { Author } from '../domain/author.ts';
import { Biography } from '../domain/biography.ts';
import { PersonName } from '../domain/person-name.ts';
import { type AuthorView, addedAuthorView } from './author-view.ts';
import type { CatalogDependencies } from './dependencies.ts';
import type { Added } from './revisioned.ts';

export interface AddAuthor {
  readonly type: 'catalog.add_author';
  readonly firstName: string;
  readonly lastName: string;
  readonly age: number;
  readonly biography?: string | null;
}

/** What adding an author answers: its id, and the author as a read would show it (`addedAuthorView`). */
export type AddedAuthor = Added<AuthorView>;

/** Adds an author, who lists no book yet. */
export async function addAuthor(command: AddAuthor, deps: CatalogDependencies): Promise<AddedAuthor> {
  const profile = {
    name: PersonName.of(command.firstName, command.lastName),
    age: Age.of(command.age),
    biography: Biography.parse(command.biography ?? null),
  };
  return deps.uow().run(async ({ authors }) => {
    const author = Author.add(profile, deps.tools);
    await authors.add(author);
    return { id: author.id, ...addedAuthorView(author) };
  });
}
