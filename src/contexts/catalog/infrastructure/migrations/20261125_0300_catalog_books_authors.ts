import { type Kysely, sql } from 'kysely';

/**
 * The catalog schema: books and authors, each aggregate in its own table(s). There is no table
 * shared by the two: a book keeps its author ids (`books.author_ids`), an author keeps its own
 * list of books (`author_bibliography`), and the author's list follows the book's events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Trigram indexes let "title contains …" use an index instead of scanning every book.
  // pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
  await sql`create extension if not exists pg_trgm`.execute(db);
  await db.schema.createSchema('catalog').ifNotExists().execute();

  await db.schema
    .withSchema('catalog')
    .createTable('authors')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('first_name', 'text', (c) => c.notNull().check(sql`char_length(first_name) between 1 and 100`))
    .addColumn('last_name', 'text', (c) => c.notNull().check(sql`char_length(last_name) between 1 and 100`))
    .addColumn('age', 'integer', (c) => c.notNull().check(sql`age between 1 and 150`))
    .addColumn('biography', 'text', (c) => c.check(sql`char_length(biography) between 1 and 3000`))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  // "name contains …" searches "first last", so either name, or both, match.
  await sql`create index authors_name_trgm on catalog.authors
              using gin ((first_name || ' ' || last_name) gin_trgm_ops)`.execute(db);

  await db.schema
    .withSchema('catalog')
    .createTable('author_bibliography')
    .addColumn('author_id', 'bigint', (c) => c.notNull().references('catalog.authors.id').onDelete('cascade'))
    // No foreign key to books: the author hears of a deletion after it happened.
    .addColumn('book_id', 'bigint', (c) => c.notNull())
    .addColumn('book_version', 'integer', (c) => c.notNull())
    .addColumn('listed', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('author_bibliography_pkey', ['author_id', 'book_id'])
    .execute();

  await db.schema
    .withSchema('catalog')
    .createTable('books')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull().check(sql`char_length(title) between 1 and 100`))
    .addColumn('isbn', 'text', (c) => c.notNull().check(sql`isbn ~ '^97[89][0-9]{10}$'`))
    .addColumn('pages', 'integer', (c) => c.notNull().check(sql`pages between 1 and 100000`))
    .addColumn('price_amount', 'bigint', (c) =>
      c.notNull().check(sql`price_amount between 0 and 1000000000000000`),
    )
    .addColumn('price_currency', 'text', (c) => c.notNull().check(sql`price_currency ~ '^[A-Z]{3}$'`))
    .addColumn('publication_year', 'integer', (c) => c.notNull().check(sql`publication_year >= 1450`))
    .addColumn('author_ids', sql`bigint[]`, (c) =>
      c.notNull().defaultTo(sql`'{}'`).check(sql`cardinality(author_ids) <= 100`),
    )
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addUniqueConstraint('books_isbn_key', ['isbn'])
    .execute();
  await sql`create index books_title_trgm on catalog.books using gin (title gin_trgm_ops)`.execute(db);
  // "books by this author": array containment (@>) on a GIN index.
  await sql`create index books_author_ids on catalog.books using gin (author_ids)`.execute(db);
}

/**
 * Leaves pg_trgm installed: an extension belongs to the whole database, and another schema may
 * have come to rely on it since; it holds no data.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('catalog').dropTable('books').execute();
  await db.schema.withSchema('catalog').dropTable('author_bibliography').execute();
  await db.schema.withSchema('catalog').dropTable('authors').execute();
  await db.schema.dropSchema('catalog').execute();
}
