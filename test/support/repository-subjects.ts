import { sql } from 'kysely';
import type { UnitOfWorkFactory } from '../../src/shared/application/unit-of-work.ts';
import type { DomainEvent } from '../../src/shared/domain/domain-event.ts';
import {
  inMemoryUnitOfWorkFactory,
  type Restorable,
} from '../../src/shared/infrastructure/in-memory-unit-of-work.ts';
import { Outbox } from '../../src/shared/infrastructure/outbox.ts';
import {
  type AggregateTracker,
  kyselyUnitOfWorkFactory,
  type RepositoriesFactory,
} from '../../src/shared/infrastructure/unit-of-work.ts';
import { onServer, openTestDatabase } from './database.ts';

/** Repositories behind a unit of work, as a repository contract test drives them. */
export interface RepositorySubject<Repositories> {
  readonly uow: UnitOfWorkFactory<Repositories>;
  /** The names of the events that reached the outbox (committed), in order. */
  outboxNames(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The two implementations a repository contract test runs against, by name: the in-memory fakes
 * over fresh tables, and the Kysely repositories on a fresh database (PGlite, or the server with
 * TEST_DATABASE_URL). The same tests pass on both, so the fakes the use-case tests rely on behave
 * as the real thing does.
 */
export function repositorySubjects<Repositories>(implementations: {
  /** Fresh tables, and the fakes over them. */
  readonly inMemory: () => {
    readonly tables: readonly Restorable[];
    readonly repositories: (tracker: AggregateTracker) => Repositories;
  };
  readonly kysely: RepositoriesFactory<Repositories>;
}): Record<string, () => Promise<RepositorySubject<Repositories>>> {
  return {
    'in-memory fakes': async () => {
      const { tables, repositories } = implementations.inMemory();
      const outbox: DomainEvent[] = [];
      return {
        uow: inMemoryUnitOfWorkFactory(repositories, tables, outbox),
        outboxNames: async () => outbox.map((event) => event.name),
        close: async () => undefined,
      };
    },
    [`Kysely on ${onServer ? 'the PostgreSQL server' : 'PGlite'}`]: async () => {
      const database = await openTestDatabase();
      return {
        uow: kyselyUnitOfWorkFactory(database.db, implementations.kysely, new Outbox()),
        outboxNames: async () =>
          (
            await sql<{ name: string }>`select name from shared.outbox order by id`.execute(database.db)
          ).rows.map((row) => row.name),
        close: () => database.dispose(),
      };
    },
  };
}
