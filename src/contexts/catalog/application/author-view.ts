import type { Author } from '../domain/author.ts';
import { isoDates, type Revisioned, revisionAlone } from './revisioned.ts';

/** A book as an author shows it. */
export interface BookRef {
  readonly id: string;
  readonly title: string;
}

/** An author in a list: the profile, without the books. */
export interface AuthorSummary {
  readonly id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly age: number;
  readonly biography: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** One author: the profile and the books the author lists (once their events are handled). */
export interface AuthorView extends AuthorSummary {
  readonly books: BookRef[];
}

/** What an author's view shows of its own row, with its instants as the API writes them. */
export interface AuthorFields {
  readonly id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly age: number;
  readonly biography: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** An author's profile as views show it: the read model's, and the one adding an author answers. */
export function authorSummary(author: AuthorFields): AuthorSummary {
  return {
    id: author.id,
    first_name: author.first_name,
    last_name: author.last_name,
    age: author.age,
    biography: author.biography,
    created_at: author.created_at,
    updated_at: author.updated_at,
  };
}

/**
 * The answer to adding an author, from the author the command just stored: a new author lists no
 * book, so it is all in the row written (as for a book: `addedBookView`).
 */
export function addedAuthorView(author: Author): Revisioned<AuthorView> {
  const stored = author.toPrimitives();
  if (stored.bibliography.length > 0)
    throw new Error('addedAuthorView is for an author just added: it lists no book yet');
  return {
    view: {
      ...authorSummary({ ...stored, ...isoDates(stored), id: stored.id.toString() }),
      books: [],
    },
    version: stored.version,
    revision: revisionAlone(stored.version),
  };
}
