import { type Selectable, sql } from 'kysely';
import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import { Id } from '../../../shared/domain/id.ts';
import { PgErrorCode, sqlState, violatedConstraint } from '../../../shared/infrastructure/database.ts';
import { everyColumn, prepared } from '../../../shared/infrastructure/prepared-statements.ts';
import { StatementsByShape } from '../../../shared/infrastructure/statements-by-shape.ts';
import type { AggregateTracker, UnitOfWorkScope } from '../../../shared/infrastructure/unit-of-work.ts';
import { Book } from '../domain/book.ts';
import type { BookRepository } from '../domain/book-repository.ts';
import { IsbnTakenError } from '../domain/errors.ts';
import { authorRefsOf } from './book-author-refs.ts';
import type { BooksTable, CatalogTables } from './tables.ts';

/**
 * A book is one row: its author ids are a bigint[] column, in the order they were added. It is
 * loaded `forChange`: first without a lock, the version check on save as the guard; should that
 * check be lost, the unit of work runs again and loading takes the row `FOR UPDATE`, so
 * concurrent commands on one book take turns (two members adding two authors at once both
 * succeed) instead of one failing. Writes are queued on the unit of work's scope, which sends
 * them with the command's events. A save that changes the book's authors also writes the read
 * model's copy of them (`authorRefsOf`); a new book names none, which is the column's default.
 */
export class KyselyBookRepository implements BookRepository {
  readonly #scope: UnitOfWorkScope;
  readonly #tracker: AggregateTracker;
  /** The author ids as stored, for each book this repository loaded or wrote. */
  readonly #storedAuthors = new WeakMap<Book, string>();

  constructor(scope: UnitOfWorkScope, tracker: AggregateTracker) {
    this.#scope = scope;
    this.#tracker = tracker;
  }

  async add(book: Book): Promise<void> {
    const { version: _, ...row } = toRow(book);
    await this.#scope.insert<CatalogTables, 'catalog.books'>(
      'catalog.books',
      { ...row, version: 1 },
      { translateError: isbnTaken(book) },
    );
    this.#scope.markSaved(book, 1);
    this.#remember(book, row.author_ids);
  }

  async save(book: Book): Promise<void> {
    const { id: _, version: __, created_at: _c, ...changes } = toRow(book);
    // Other changes leave the copy as it is: a rename meanwhile patches the row that is there.
    const authorsChanged = this.#storedAuthors.get(book) !== `${changes.author_ids}`;
    await this.#scope.saveVersioned<CatalogTables, 'catalog.books'>(
      book,
      'book',
      'catalog.books',
      {
        ...changes,
        ...(authorsChanged ? { author_refs: authorRefsOf(sql.val(changes.author_ids)) } : {}),
      },
      { translateError: isbnTaken(book) },
    );
    this.#remember(book, changes.author_ids);
  }

  async remove(book: Book): Promise<void> {
    const id = book.id.toString();
    await this.#scope.write<CatalogTables>(
      (db) => db.deleteFrom('catalog.books').where('id', '=', id).where('version', '=', book.version),
      { expectOneRow: () => new ConcurrencyError('book', id) },
    );
    this.#tracker.track(book);
  }

  async byId(id: Id): Promise<Book | undefined> {
    const { db, lock } = await this.#scope.forChange<CatalogTables>(`book:${id}`);
    // Prepared, with named columns (ADR 0006): without a lock, a lookup on a pipelined lane.
    // Compiled once per shape (locked or not), bound to the id on each call.
    const statement = BOOK_BY_ID.bind(`${lock}`, [['id', id.toString()]], (p) =>
      prepared(
        db
          .selectFrom('catalog.books')
          .select(BOOK_COLUMNS)
          .where('id', '=', p('id'))
          .$if(lock, (locked) => locked.forUpdate())
          .compile(),
      ),
    );
    const row = (await db.executeQuery(statement)).rows[0];
    return row && this.#remember(fromRow(row), row.author_ids);
  }

  #remember(book: Book, authorIds: readonly string[]): Book {
    this.#storedAuthors.set(book, `${authorIds}`);
    return this.#tracker.track(book);
  }
}

/** `byId`'s statements: one locked, one not. */
const BOOK_BY_ID = new StatementsByShape();

/**
 * Every column of the aggregate's row, named (ADR 0006: a prepared statement must not `SELECT *`);
 * not the read model's `author_refs`.
 */
const BOOK_COLUMNS = everyColumn<Omit<BooksTable, 'author_refs'>>()(
  'id',
  'title',
  'isbn',
  'pages',
  'price_amount',
  'price_currency',
  'publication_year',
  'author_ids',
  'created_at',
  'updated_at',
  'version',
);

/** The unique constraint is the last word on "one book per isbn", races included. */
function isbnTaken(book: Book): (error: unknown) => Error | undefined {
  return (error) =>
    sqlState(error) === PgErrorCode.uniqueViolation && violatedConstraint(error) === 'books_isbn_key'
      ? new IsbnTakenError(book.details.isbn.value)
      : undefined;
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

function fromRow(row: Omit<Selectable<BooksTable>, 'author_refs'>): Book {
  return Book.fromPrimitives({
    ...row,
    id: Id.of(row.id),
    price_amount: BigInt(row.price_amount),
    author_ids: row.author_ids.map((id) => Id.of(id)),
  });
}
