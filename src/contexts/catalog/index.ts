import type { Kysely } from 'kysely';
import type { BoundedContext, EventSubscription } from '../../shared/infrastructure/bounded-context.ts';
import type { Outbox } from '../../shared/infrastructure/outbox.ts';
import {
  type AggregateTracker,
  KyselyUnitOfWork,
  kyselyUnitOfWorkFactory,
  type UnitOfWorkScope,
} from '../../shared/infrastructure/unit-of-work.ts';
import { authorListsBook, authorUnlistsBook } from './application/author-bibliography.ts';
import { catalogCommandHandlers, catalogCommandTypes } from './application/commands.ts';
import type { CatalogRepositories } from './application/dependencies.ts';
import { catalogErrorStatuses } from './http/error-statuses.ts';
import { catalogRoutes } from './http/routes.ts';
import { AuthorRefsRepair, showCurrentAuthorName } from './infrastructure/book-author-refs.ts';
import { KyselyAuthorRepository } from './infrastructure/kysely-author-repository.ts';
import { KyselyBookRepository } from './infrastructure/kysely-book-repository.ts';
import { KyselyCatalogQueries } from './infrastructure/kysely-catalog-queries.ts';

/** The catalog's repositories, bound to one unit of work's scope. */
export const catalogRepositories = (
  scope: UnitOfWorkScope,
  tracker: AggregateTracker,
): CatalogRepositories => ({
  books: new KyselyBookRepository(scope, tracker),
  authors: new KyselyAuthorRepository(scope, tracker),
});

/**
 * How authors follow books, and books' views their authors' names: one subscription per event. Each delivery runs in its own
 * transaction; the unit of work made on it joins that transaction.
 */
export function catalogSubscriptions(outbox: Outbox): EventSubscription[] {
  const onDelivery = (tx: Kysely<unknown>) => ({
    uow: () => new KyselyUnitOfWork(tx, catalogRepositories, outbox),
  });
  return [
    {
      event: 'catalog.author_added_to_book',
      subscriber: 'catalog.author_lists_book',
      onlyDatabaseEffects: true,
      handle: (event, tx) => authorListsBook(event, onDelivery(tx)),
    },
    {
      event: 'catalog.author_removed_from_book',
      subscriber: 'catalog.author_unlists_book',
      onlyDatabaseEffects: true,
      handle: (event, tx) => authorUnlistsBook(event, onDelivery(tx)),
    },
    {
      // The rename's own statement showed the new name on the books it could see and take; this
      // shows it on the rest (see book-author-refs.ts). Not grouped with other deliveries
      // (`onlyDatabaseEffects` unset), though it only writes to the database: it waits for book
      // rows, and must not do so holding an author's row for another delivery of its group, which
      // a book save waiting for that author could hold up in turn.
      event: 'catalog.author_updated',
      subscriber: 'catalog.books_show_author_name',
      handle: (event, tx) => showCurrentAuthorName(event, tx),
    },
  ];
}

/** The catalog context: books and their authors. */
export const catalog: BoundedContext = {
  name: 'catalog',
  migrations: new URL('./infrastructure/migrations/', import.meta.url),
  errorStatuses: catalogErrorStatuses,
  commandTypes: catalogCommandTypes,
  tags: [
    { name: 'books', description: 'Books: ISBN, price, pages, and the authors each book names' },
    { name: 'authors', description: 'Authors and the books they list' },
  ],

  start({ db, readDb, outbox, tools, bus, auth, unitOfWorkObserver }) {
    bus.register(
      catalogCommandHandlers({
        uow: kyselyUnitOfWorkFactory(db, catalogRepositories, outbox, unitOfWorkObserver('catalog')),
        tools,
      }),
    );
    const deps = {
      bus,
      auth,
      queries: new KyselyCatalogQueries(readDb),
      freshQueries: new KyselyCatalogQueries(db),
    };
    return {
      routes: (app) => catalogRoutes(app, deps),
      subscriptions: catalogSubscriptions(outbox),
      housekeeping: [new AuthorRefsRepair()],
    };
  },
};
