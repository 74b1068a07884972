import type { Id } from '../../../shared/domain/id.ts';
import { Age } from '../domain/age.ts';
import { Biography } from '../domain/biography.ts';
import { PersonName } from '../domain/person-name.ts';
import type { CatalogDependencies } from './dependencies.ts';
import { loadAuthor } from './load-author.ts';

export interface UpdateAuthor {
  readonly type: 'catalog.update_author';
  readonly authorId: Id;
  /** The version the client last saw (from If-Match). */
  readonly expectedVersion?: number;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly age?: number;
  /** null (or blank text) removes the biography; undefined leaves it as it is. */
  readonly biography?: string | null;
}

export async function updateAuthor(command: UpdateAuthor, deps: CatalogDependencies): Promise<undefined> {
  const age = command.age === undefined ? undefined : Age.of(command.age);
  const biography = command.biography === undefined ? undefined : Biography.parse(command.biography);
  await deps.uow().run(async ({ authors }) => {
    const author = await loadAuthor(authors, command.authorId, command.expectedVersion);
    const current = author.profile.name;
    const name =
      command.firstName === undefined && command.lastName === undefined
        ? undefined
        : PersonName.of(command.firstName ?? current.first, command.lastName ?? current.last);
    author.update({ name, age, biography }, deps.tools);
    // Nothing changed, nothing recorded: no write, so the version (and the ETag) stays.
    if (author.recordedEvents.length > 0) await authors.save(author);
  });
  return undefined;
}
