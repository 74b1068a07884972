import type { UnitOfWorkFactory } from '../../../shared/application/unit-of-work.ts';
import type { DomainEvent } from '../../../shared/domain/domain-event.ts';
import { Id } from '../../../shared/domain/id.ts';
import type { CatalogRepositories } from './dependencies.ts';

/**
 * The author side of "a book names its authors". The book decides; each author follows the
 * book's `catalog.author_added_to_book` and `catalog.author_removed_from_book` events, delivered
 * from the outbox in a transaction of their own, so a failure here never undoes the book's change
 * (the delivery is retried instead).
 *
 * Safe to run twice and in any order: the author remembers the latest book version it applied
 * for each book and ignores anything not newer (see `Author.listBook`).
 */
export interface BibliographyDependencies {
  /** A unit of work that joins the delivery's transaction. */
  readonly uow: UnitOfWorkFactory<CatalogRepositories>;
}

/** Reacts to `catalog.author_added_to_book`: the author lists the book. */
export async function authorListsBook(event: DomainEvent, deps: BibliographyDependencies): Promise<void> {
  await follow(event, deps, true);
}

/** Reacts to `catalog.author_removed_from_book` (also recorded when a book is deleted). */
export async function authorUnlistsBook(event: DomainEvent, deps: BibliographyDependencies): Promise<void> {
  await follow(event, deps, false);
}

async function follow(event: DomainEvent, deps: BibliographyDependencies, listed: boolean): Promise<void> {
  const { bookId, authorId, bookVersion } = authorshipOf(event);
  await deps.uow().run(async ({ authors }) => {
    // Authors are never deleted and must exist to be named, so a missing one means there is
    // nothing left to update; failing would only send the delivery to the dead letters.
    const author = await authors.byId(authorId);
    if (author === undefined) return;
    const changed = listed ? author.listBook(bookId, bookVersion) : author.unlistBook(bookId, bookVersion);
    if (changed) await authors.save(author);
  });
}

/** Reads the payload as stored in the outbox (JSON); a malformed one is a bug, not input. */
function authorshipOf(event: DomainEvent): { bookId: Id; authorId: Id; bookVersion: number } {
  const { author_id: authorId, book_version: bookVersion } = event.payload;
  if (typeof authorId !== 'string' || typeof bookVersion !== 'number' || !Number.isInteger(bookVersion)) {
    throw new TypeError(`Event ${event.id} (${event.name}) has no author_id and book_version`);
  }
  // Id.of also takes the decimal text a relay may hand over for the bigint column.
  return { bookId: Id.of(event.aggregate_id), authorId: Id.of(authorId), bookVersion };
}
