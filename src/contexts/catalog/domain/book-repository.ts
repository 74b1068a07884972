import type { Id } from '../../../shared/domain/id.ts';
import type { Book } from './book.ts';

/**
 * Stores books. `add` and `save` refuse an isbn another book has (`IsbnTakenError`), even under a
 * race, because the database enforces it; `save` and `remove` refuse a stale book
 * (`ConcurrencyError`).
 */
export interface BookRepository {
  add(book: Book): Promise<void>;
  save(book: Book): Promise<void>;
  /** Deletes the book, once `book.delete()` has recorded why. */
  remove(book: Book): Promise<void>;
  byId(id: Id): Promise<Book | undefined>;
}
