import type { Selectable } from 'kysely';
import { Id } from '../../../shared/domain/id.ts';
import { everyColumn, prepared } from '../../../shared/infrastructure/prepared-statements.ts';
import {
  type StatementParameter,
  StatementsByShape,
} from '../../../shared/infrastructure/statements-by-shape.ts';
import type { AggregateTracker, UnitOfWorkScope } from '../../../shared/infrastructure/unit-of-work.ts';
import { Author, type BibliographyEntry } from '../domain/author.ts';
import type { AuthorRepository } from '../domain/author-repository.ts';
import { showAuthorName } from './book-author-refs.ts';
import type { AuthorBibliographyTable, AuthorsTable, CatalogTables } from './tables.ts';

/** What is stored of an author: its name ("first last") and its bibliography by book id. */
interface Stored {
  readonly name: string;
  readonly bibliography: ReadonlyMap<string, BibliographyEntry>;
}

/**
 * An author is a row in `authors` plus its entries in `author_bibliography`. A prolific author
 * has hundreds of entries and each event changes one, so `save` writes only the entries that
 * differ from what was loaded; the author row's version check still guards the whole aggregate.
 * It is loaded `forChange`. In an event delivery (the relay's transaction), and on a command's
 * attempt after a lost version check, that takes the author row `FOR UPDATE`: two deliveries for
 * one author (two books naming it at once) take turns instead of one failing the version check
 * and waiting for a retry. A command's first attempt reads without a lock. A rename also shows
 * the new name on the author's books (`showAuthorName`: the books' read model), in the same
 * statement, but for a book another transaction holds (the rename's delivery mends those).
 */
export class KyselyAuthorRepository implements AuthorRepository {
  readonly #scope: UnitOfWorkScope;
  readonly #tracker: AggregateTracker;
  /** What is stored, for each author this repository loaded or wrote. */
  readonly #stored = new WeakMap<Author, Stored>();

  constructor(scope: UnitOfWorkScope, tracker: AggregateTracker) {
    this.#scope = scope;
    this.#tracker = tracker;
  }

  async add(author: Author): Promise<void> {
    const { version: _, bibliography, ...row } = author.toPrimitives();
    await this.#scope.insert<CatalogTables, 'catalog.authors'>('catalog.authors', {
      ...row,
      id: row.id.toString(),
      version: 1,
    });
    await this.#writeEntries(author.id, bibliography);
    this.#scope.markSaved(author, 1);
    this.#remember(author, bibliography);
  }

  async save(author: Author): Promise<void> {
    const { id, version: _, created_at: _c, bibliography, ...changes } = author.toPrimitives();
    await this.#scope.saveVersioned<CatalogTables, 'catalog.authors'>(
      author,
      'author',
      'catalog.authors',
      changes,
    );
    const stored = this.#stored.get(author);
    const name = author.profile.name.full;
    if (stored?.name !== name) {
      await this.#scope.write<CatalogTables>((db) =>
        showAuthorName(db, { id: id.toString(), name, version: author.version }, { skipLocked: true }),
      );
    }
    await this.#writeEntries(
      id,
      bibliography.filter((entry) => !sameEntry(stored?.bibliography.get(entry.book_id.toString()), entry)),
    );
    this.#remember(author, bibliography);
  }

  async byId(id: Id): Promise<Author | undefined> {
    const { db, lock } = await this.#scope.forChange<CatalogTables>(`author:${id}`);
    // Prepared, with named columns (ADR 0006): without a lock, lookups on a pipelined lane. The
    // entries may then be newer than the row; the row's version check on save catches that.
    // Both compiled once per shape (the row locked or not), bound to the id on each call.
    const parameters: StatementParameter[] = [['id', id.toString()]];
    const authorStatement = AUTHOR_BY_ID.bind(`author ${lock}`, parameters, (p) =>
      prepared(
        db
          .selectFrom('catalog.authors')
          .select(AUTHOR_COLUMNS)
          .where('id', '=', p('id'))
          .$if(lock, (locked) => locked.forUpdate())
          .compile(),
      ),
    );
    const row = (await db.executeQuery(authorStatement)).rows[0];
    if (row === undefined) return undefined;
    const entriesStatement = AUTHOR_BY_ID.bind('entries', parameters, (p) =>
      prepared(
        db
          .selectFrom('catalog.author_bibliography')
          .select(['book_id', 'book_version', 'listed'])
          .where('author_id', '=', p('id'))
          .orderBy('book_id')
          .compile(),
      ),
    );
    const entries = (await db.executeQuery(entriesStatement)).rows;
    const author = fromRows(row, entries);
    this.#remember(author, author.toPrimitives().bibliography);
    return author;
  }

  async exists(id: Id): Promise<boolean> {
    const db = await this.#scope.reader<CatalogTables>();
    const row = await db
      .selectFrom('catalog.authors')
      .select('id')
      .where('id', '=', id.toString())
      .executeTakeFirst();
    return row !== undefined;
  }

  async #writeEntries(authorId: Id, entries: readonly BibliographyEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#scope.write<CatalogTables>((db) =>
      db
        .insertInto('catalog.author_bibliography')
        .values(
          entries.map((entry) => ({
            author_id: authorId.toString(),
            book_id: entry.book_id.toString(),
            book_version: entry.book_version,
            listed: entry.listed,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['author_id', 'book_id']).doUpdateSet((eb) => ({
            book_version: eb.ref('excluded.book_version'),
            listed: eb.ref('excluded.listed'),
          })),
        ),
    );
  }

  #remember(author: Author, bibliography: readonly BibliographyEntry[]): void {
    this.#stored.set(author, {
      name: author.profile.name.full,
      bibliography: new Map(bibliography.map((entry) => [entry.book_id.toString(), entry])),
    });
    this.#tracker.track(author);
  }
}

function sameEntry(stored: BibliographyEntry | undefined, entry: BibliographyEntry): boolean {
  return stored !== undefined && stored.book_version === entry.book_version && stored.listed === entry.listed;
}

function fromRows(
  row: Selectable<AuthorsTable>,
  entries: readonly Pick<Selectable<AuthorBibliographyTable>, 'book_id' | 'book_version' | 'listed'>[],
): Author {
  return Author.fromPrimitives({
    ...row,
    id: Id.of(row.id),
    bibliography: entries.map((entry) => ({
      book_id: Id.of(entry.book_id),
      book_version: entry.book_version,
      listed: entry.listed,
    })),
  });
}

/** `byId`'s statements: the row (locked or not) and the bibliography. */
const AUTHOR_BY_ID = new StatementsByShape();

/** Every column of the row, named (ADR 0006: a prepared statement must not `SELECT *`). */
const AUTHOR_COLUMNS = everyColumn<AuthorsTable>()(
  'id',
  'first_name',
  'last_name',
  'age',
  'biography',
  'created_at',
  'updated_at',
  'version',
);
