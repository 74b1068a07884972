import type { Kysely, Selectable } from 'kysely';
import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import { Id } from '../../../shared/domain/id.ts';
import { PgErrorCode, sqlState, violatedConstraint } from '../../../shared/infrastructure/database.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import { Book } from '../domain/book.ts';
import type { BookRepository } from '../domain/book-repository.ts';
import { IsbnTakenError } from '../domain/errors.ts';
import type { BooksTable, CatalogTables } from './tables.ts';

/**
 * A book is one row: its author ids are a bigint[] column, in the order they were added. Loading
 * takes the row `FOR UPDATE`, so concurrent commands on one book take turns (two members adding
 * two authors at once both succeed) instead of one failing the version check; the version check
 * on save stays as the safety net.
 */
export class KyselyBookRepository implements BookRepository {
  readonly #db: Kysely<CatalogTables>;
  readonly #tracker: AggregateTracker;

  constructor(db: Kysely<unknown>, tracker: AggregateTracker) {
    this.#db = db as Kysely<CatalogTables>;
    this.#tracker = tracker;
  }

  async add(book: Book): Promise<void> {
    const { version: _, ...row } = toRow(book);
    await this.#translatingIsbnTaken(book, () =>
      this.#db
        .insertInto('catalog.books')
        .values({ ...row, version: 1 })
        .execute(),
    );
    book.markSaved(1);
    this.#tracker.track(book);
  }

  async save(book: Book): Promise<void> {
    const { id, version, created_at: _, ...changes } = toRow(book);
    const result = await this.#translatingIsbnTaken(book, () =>
      this.#db
        .updateTable('catalog.books')
        .set({ ...changes, version: version + 1 })
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst(),
    );
    if (result.numUpdatedRows === 0n) throw new ConcurrencyError('book', id);
    book.markSaved(version + 1);
    this.#tracker.track(book);
  }

  async remove(book: Book): Promise<void> {
    const result = await this.#db
      .deleteFrom('catalog.books')
      .where('id', '=', book.id.toString())
      .where('version', '=', book.version)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new ConcurrencyError('book', book.id.toString());
    this.#tracker.track(book);
  }

  async byId(id: Id): Promise<Book | undefined> {
    const row = await this.#db
      .selectFrom('catalog.books')
      .selectAll()
      .where('id', '=', id.toString())
      .forUpdate()
      .executeTakeFirst();
    return row && this.#tracker.track(fromRow(row));
  }

  /** The unique constraint is the last word on "one book per isbn", races included. */
  async #translatingIsbnTaken<T>(book: Book, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (sqlState(error) === PgErrorCode.uniqueViolation && violatedConstraint(error) === 'books_isbn_key') {
        throw new IsbnTakenError(book.details.isbn.value);
      }
      throw error;
    }
  }
}

function toRow(book: Book) {
  const state = book.toPrimitives();
  return {
    ...state,
    id: state.id.toString(),
    price_amount: state.price_amount.toString(),
    author_ids: state.author_ids.map((id) => id.toString()),
  };
}

function fromRow(row: Selectable<BooksTable>): Book {
  return Book.fromPrimitives({
    ...row,
    id: Id.of(row.id),
    price_amount: BigInt(row.price_amount),
    author_ids: row.author_ids.map((id) => Id.of(id)),
  });
}
