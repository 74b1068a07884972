import type {
  AuthorAdded,
  AuthorAddedToBook,
  AuthorRemovedFromBook,
  AuthorUpdated,
  BookAdded,
  BookDeleted,
  BookUpdated,
} from '../domain/events.ts';

/**
 * The catalog context's published language: every event it stores in the outbox, by name, so a
 * subscriber gets the event's type from its name. Changing a payload here breaks its subscribers
 * at compile time.
 */
declare module '../../../shared/application/event-registry.ts' {
  interface EventRegistry {
    'catalog.book_added': BookAdded;
    'catalog.book_updated': BookUpdated;
    'catalog.author_added_to_book': AuthorAddedToBook;
    'catalog.author_removed_from_book': AuthorRemovedFromBook;
    'catalog.book_deleted': BookDeleted;
    'catalog.author_added': AuthorAdded;
    'catalog.author_updated': AuthorUpdated;
  }
}
