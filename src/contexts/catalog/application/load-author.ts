import type { Id } from '../../../shared/domain/id.ts';
import type { Author } from '../domain/author.ts';
import type { AuthorRepository } from '../domain/author-repository.ts';
import { AuthorNotFoundError, AuthorPreconditionFailedError } from '../domain/errors.ts';

/** Loads an author or fails with `author.not_found` (or `author.precondition_failed`, see loadBook). */
export async function loadAuthor(
  authors: AuthorRepository,
  id: Id,
  expectedVersion?: number,
): Promise<Author> {
  const author = await authors.byId(id);
  if (author === undefined) throw new AuthorNotFoundError(id.toString());
  if (expectedVersion !== undefined && author.version !== expectedVersion) {
    throw new AuthorPreconditionFailedError(id.toString());
  }
  return author;
}
