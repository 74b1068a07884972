import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import { Book, type BookPrimitives } from '../domain/book.ts';
import type { BookRepository } from '../domain/book-repository.ts';
import { IsbnTakenError } from '../domain/errors.ts';

/** The book repository kept in memory: a fake for use-case tests, held to the same contract tests. */
export class InMemoryBookRepository implements BookRepository {
  readonly #table: InMemoryTable<BookPrimitives | undefined>;
  readonly #tracker: AggregateTracker;

  /** A removed book stays in the table as `undefined`, so a rollback can bring it back. */
  constructor(table: InMemoryTable<BookPrimitives | undefined>, tracker: AggregateTracker) {
    this.#table = table;
    this.#tracker = tracker;
  }

  async add(book: Book): Promise<void> {
    this.#refuseTakenIsbn(book);
    this.#table.set(book.id.toString(), { ...book.toPrimitives(), version: 1 });
    book.markSaved(1);
    this.#tracker.track(book);
  }

  async save(book: Book): Promise<void> {
    this.#refuseStale(book);
    this.#refuseTakenIsbn(book);
    this.#table.set(book.id.toString(), { ...book.toPrimitives(), version: book.version + 1 });
    book.markSaved(book.version + 1);
    this.#tracker.track(book);
  }

  async remove(book: Book): Promise<void> {
    this.#refuseStale(book);
    this.#table.set(book.id.toString(), undefined);
    this.#tracker.track(book);
  }

  async byId(id: Id): Promise<Book | undefined> {
    const row = this.#table.rows.get(id.toString());
    return row && this.#tracker.track(Book.fromPrimitives(row));
  }

  #refuseStale(book: Book): void {
    const stored = this.#table.rows.get(book.id.toString());
    if (stored === undefined || stored.version !== book.version) {
      throw new ConcurrencyError('book', book.id.toString());
    }
  }

  #refuseTakenIsbn(book: Book): void {
    const isbn = book.details.isbn.value;
    for (const row of this.#table.rows.values()) {
      if (row !== undefined && row.isbn === isbn && row.id !== book.id) throw new IsbnTakenError(isbn);
    }
  }
}
