import type { DomainEvent } from '../../../shared/domain/domain-event.ts';

/**
 * The catalog's events: stored in the outbox with the change that caused them and delivered to
 * subscribers. Their names and payloads are a published contract. Ids travel as decimal strings.
 *
 * Every book event carries `book_version`, the version the book has once the change is saved, so
 * a consumer can tell a late or repeated delivery from news (see `Author.listBook`).
 */
// Type aliases, not interfaces: only aliases satisfy the JSON index signature of event payloads.
export type PricePayload = {
  readonly amount: number;
  readonly currency: string;
};

export type BookField = 'title' | 'isbn' | 'pages' | 'price' | 'publication_year';

type BookState = {
  readonly title: string;
  readonly isbn: string;
  readonly pages: number;
  readonly price: PricePayload;
  readonly publication_year: number;
  readonly book_version: number;
};

export type BookAdded = DomainEvent<'catalog.book_added', BookState>;
/** The book's whole new state, and which fields changed. */
export type BookUpdated = DomainEvent<'catalog.book_updated', BookState & { readonly changed: BookField[] }>;
export type AuthorAddedToBook = DomainEvent<
  'catalog.author_added_to_book',
  { readonly author_id: string; readonly book_version: number }
>;
export type AuthorRemovedFromBook = DomainEvent<
  'catalog.author_removed_from_book',
  { readonly author_id: string; readonly book_version: number }
>;
export type BookDeleted = DomainEvent<
  'catalog.book_deleted',
  {
    readonly title: string;
    readonly isbn: string;
    readonly author_ids: string[];
    readonly book_version: number;
  }
>;

export type BookEvent = BookAdded | BookUpdated | AuthorAddedToBook | AuthorRemovedFromBook | BookDeleted;

export type AuthorField = 'first_name' | 'last_name' | 'age' | 'biography';

type AuthorState = {
  readonly first_name: string;
  readonly last_name: string;
  readonly age: number;
  readonly biography: string | null;
};

export type AuthorAdded = DomainEvent<'catalog.author_added', AuthorState>;
/** The author's whole new profile, and which fields changed. */
export type AuthorUpdated = DomainEvent<
  'catalog.author_updated',
  AuthorState & { readonly changed: AuthorField[] }
>;

export type AuthorEvent = AuthorAdded | AuthorUpdated;
