import { type Insertable, type Kysely, sql } from 'kysely';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { authorRefsOf } from './book-author-refs.ts';
import type { AuthorBibliographyTable, CatalogTables } from './tables.ts';

export interface BenchmarkBooksOptions {
  /**
   * Each book names one of these authors, in turn, and the authors list their books as if every
   * `catalog.author_added_to_book` had been handled. None unless given.
   */
  readonly authorIds?: readonly Id[];
}

/** A generated book, one field per column of the unnest() below. */
interface BookRow {
  readonly id: string;
  readonly title: string;
  readonly isbn: string;
  readonly pages: number;
  readonly price_amount: string;
  readonly publication_year: number;
  readonly author_id: string | null;
  readonly version: number;
}

const CHUNK = 10_000;

const ADJECTIVES = [
  'Silent',
  'Hidden',
  'Broken',
  'Golden',
  'Endless',
  'Quiet',
  'Burning',
  'Frozen',
  'Distant',
  'Secret',
  'Crimson',
  'Wandering',
];
const NOUNS = [
  'River',
  'Garden',
  'Mirror',
  'Kingdom',
  'Archive',
  'Harbour',
  'Lantern',
  'Forest',
  'Engine',
  'Compass',
  'Library',
  'Orchard',
  'Tower',
];
const PLACES = [
  'Seoul',
  'Busan',
  'Lisbon',
  'Kyoto',
  'Oslo',
  'Lagos',
  'Quito',
  'Hanoi',
  'Prague',
  'Tunis',
  'Perth',
];

/**
 * Bulk-loads `count` books for benchmarks, inside one transaction. Titles are searchable word
 * combinations with a serial ("The Silent River of Seoul, no. 4242"), so a title filter can hit
 * many books ("river") or one ("no. 4242"). ISBNs are valid 979 ISBN-13s numbered after the
 * highest one already stored, so the loader can run again. It skips the domain and the outbox on
 * purpose: it builds a data set to measure against, not history, and writes exactly the rows the
 * domain would have written. It then vacuums and analyzes the tables, as after any bulk load: the
 * planner's statistics would otherwise describe an empty table, and the GIN indexes' pending
 * lists would hold the new books unmerged.
 */
export async function insertBenchmarkBooks(
  db: Kysely<unknown>,
  tools: DomainTools,
  count: number,
  options: BenchmarkBooksOptions = {},
): Promise<{ books: number; firstIsbn: string | undefined }> {
  const typed = db as Kysely<CatalogTables>;
  const authors = options.authorIds ?? [];
  const firstSerial = await nextSerial(typed);
  const books: BookRow[] = [];
  const listings: Insertable<AuthorBibliographyTable>[] = [];
  for (let i = 0; i < count; i += 1) {
    const serial = firstSerial + i;
    const id = tools.ids.next().toString();
    const author = authors.length === 0 ? null : authors[i % authors.length]!.toString();
    // A book that names an author was added, then named it: version 2, as the commands leave it.
    const version = author === null ? 1 : 2;
    books.push({
      id,
      title: `The ${ADJECTIVES[serial % 12]} ${NOUNS[(serial * 7) % 13]} of ${PLACES[(serial * 5) % 11]}, no. ${serial}`,
      isbn: isbn13(serial),
      pages: 80 + ((serial * 37) % 900),
      price_amount: String(8_000 + ((serial * 53) % 420) * 100),
      publication_year: 1950 + (serial % 76),
      author_id: author,
      version,
    });
    if (author !== null)
      listings.push({ author_id: author, book_id: id, book_version: version, listed: true });
  }
  const now = tools.clock.now();
  await typed.transaction().execute(async (tx) => {
    for (let i = 0; i < books.length; i += CHUNK) await insertBooks(tx, books.slice(i, i + CHUNK), now);
    for (let i = 0; i < listings.length; i += CHUNK / 2) {
      await tx
        .insertInto('catalog.author_bibliography')
        .values(listings.slice(i, i + CHUNK / 2))
        .execute();
    }
    if (authors.length > 0) {
      // Each author's list of books changed: as after the events, its version moves on.
      await tx
        .updateTable('catalog.authors')
        .set((eb) => ({ version: eb('version', '+', 1) }))
        .where(
          'id',
          'in',
          authors.map((a) => a.toString()),
        )
        .execute();
    }
  });
  await sql`vacuum analyze catalog.books`.execute(db);
  // The authors' listings too: left to autovacuum, it would run during the next measurements.
  if (authors.length > 0) await sql`vacuum analyze catalog.author_bibliography, catalog.authors`.execute(db);
  return { books: books.length, firstIsbn: books[0]?.isbn };
}

/**
 * One INSERT … SELECT FROM unnest(column arrays): eight bind parameters however many rows, which
 * PostgreSQL parses and plans far faster than thousands of VALUES tuples (3-4x here). Each book's
 * read model copy of its author (`author_refs`) is made as a book's write makes it.
 */
async function insertBooks(db: Kysely<CatalogTables>, rows: readonly BookRow[], now: Date): Promise<void> {
  const column = <K extends keyof BookRow>(key: K) => rows.map((row) => row[key]);
  const authorIds = sql<
    string[]
  >`(case when author_id is null then '{}'::bigint[] else array[author_id] end)`;
  await sql`
    insert into catalog.books (id, title, isbn, pages, price_amount, price_currency, publication_year,
                               author_ids, created_at, updated_at, version, author_refs)
    select id, title, isbn, pages, price_amount, 'KRW', publication_year,
           ${authorIds}, ${now}, ${now}, version, ${authorRefsOf(authorIds)}
      from unnest(${column('id')}::bigint[], ${column('title')}::text[], ${column('isbn')}::text[],
                  ${column('pages')}::int[], ${column('price_amount')}::bigint[],
                  ${column('publication_year')}::int[], ${column('author_id')}::bigint[], ${column('version')}::int[])
        as t(id, title, isbn, pages, price_amount, publication_year, author_id, version)`.execute(db);
}

/** The serial after the highest 979 ISBN stored (digits 4-12 of the ISBN-13). */
async function nextSerial(db: Kysely<CatalogTables>): Promise<number> {
  const { rows } = await sql<{ last: string | null }>`
    select max(substr(isbn, 4, 9)) as last from catalog.books where isbn like '979%'`.execute(db);
  return rows[0]?.last == null ? 1 : Number(rows[0].last) + 1;
}

/** 979, a 9-digit serial, and the ISBN-13 check digit. */
function isbn13(serial: number): string {
  const twelve = `979${String(serial).padStart(9, '0')}`;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += (i % 2 === 0 ? 1 : 3) * Number(twelve[i]);
  return twelve + String((10 - (sum % 10)) % 10);
}
