import type { Page, PageRequest } from '../../../shared/application/pagination.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { AuthorSummary, AuthorView } from './author-view.ts';
import type { BookView } from './book-view.ts';
import type { Revisioned } from './revisioned.ts';

export interface BookFilter {
  /** Case-insensitive "contains"; every character is literal (% and _ too). */
  readonly title?: string;
  readonly authorId?: Id;
}

export interface AuthorFilter {
  /** Case-insensitive "contains" on "first last", so it matches either name or both. */
  readonly name?: string;
}

/** The read side (CQRS): answers straight from SQL as views, without loading aggregates. */
export interface CatalogQueries {
  book(id: Id): Promise<Revisioned<BookView> | undefined>;
  books(filter: BookFilter, page: PageRequest): Promise<Page<BookView>>;
  author(id: Id): Promise<Revisioned<AuthorView> | undefined>;
  authors(filter: AuthorFilter, page: PageRequest): Promise<Page<AuthorSummary>>;
}
