import type { Id } from '../../../shared/domain/id.ts';
import type { Book } from '../domain/book.ts';
import type { BookRepository } from '../domain/book-repository.ts';
import { BookNotFoundError, BookPreconditionFailedError } from '../domain/errors.ts';

/**
 * Loads a book or fails with `book.not_found`; with `expectedVersion` (from If-Match), also fails
 * with `book.precondition_failed` when the book has moved on. The save's own version check then
 * covers a change that lands between this load and the commit.
 */
export async function loadBook(books: BookRepository, id: Id, expectedVersion?: number): Promise<Book> {
  const book = await books.byId(id);
  if (book === undefined) throw new BookNotFoundError(id.toString());
  if (expectedVersion !== undefined && book.version !== expectedVersion) {
    throw new BookPreconditionFailedError(id.toString());
  }
  return book;
}
