import type { ColumnType } from 'kysely';

/** bigint columns come back as decimal text from both drivers (see shared/infrastructure/database.ts). */
type BigintColumn = ColumnType<string, bigint | string, bigint | string>;

export interface BooksTable {
  id: ColumnType<string, bigint | string, never>;
  title: string;
  isbn: string;
  pages: number;
  price_amount: BigintColumn;
  price_currency: string;
  publication_year: number;
  author_ids: ColumnType<string[], string[], string[]>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
  version: number;
  /**
   * The read model's copy of the book's authors, in `author_ids`' order: not part of the aggregate.
   * A book starts with none (the default); its writes and its authors' renames keep it
   * (`book-author-refs.ts`).
   */
  author_refs: ColumnType<StoredAuthorRef[], never, StoredAuthorRef[]>;
}

/** An author as a book's read model shows it, with the author's version when the name was copied. */
export interface StoredAuthorRef {
  readonly id: string;
  readonly name: string;
  readonly version: number;
}

export interface AuthorsTable {
  id: ColumnType<string, bigint | string, never>;
  first_name: string;
  last_name: string;
  age: number;
  biography: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
  version: number;
}

/** The author's own list of books (its side of the one-to-many), with what it last heard of each. */
export interface AuthorBibliographyTable {
  author_id: ColumnType<string, bigint | string, never>;
  book_id: ColumnType<string, bigint | string, never>;
  book_version: number;
  listed: boolean;
}

/** The catalog schema as Kysely sees it. */
export interface CatalogTables {
  'catalog.books': BooksTable;
  'catalog.authors': AuthorsTable;
  'catalog.author_bibliography': AuthorBibliographyTable;
}
