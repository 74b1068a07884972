import type { UnitOfWork, UnitOfWorkFactory } from '../application/unit-of-work.ts';
import type { DomainEvent } from '../domain/domain-event.ts';
import { AggregateTracker } from './unit-of-work.ts';

/** Something a rolled-back transaction must put back as it was. */
export interface Restorable {
  /** Copies the current state; calling the returned function restores it. */
  checkpoint(): () => void;
}

/** A table kept in memory. */
export class InMemoryTable<Row> implements Restorable {
  #rows = new Map<string, Row>();

  get rows(): ReadonlyMap<string, Row> {
    return this.#rows;
  }

  set(key: string, row: Row): void {
    this.#rows.set(key, row);
  }

  delete(key: string): void {
    this.#rows.delete(key);
  }

  checkpoint(): () => void {
    const copy = new Map(this.#rows);
    return () => {
      this.#rows = copy;
    };
  }
}

/**
 * The in-memory unit of work, for use-case tests: same contract as the Kysely one, including
 * "all or nothing" (tables are restored when the work throws) and "events to the outbox".
 */
export class InMemoryUnitOfWork<Repositories> implements UnitOfWork<Repositories> {
  readonly #repositories: (tracker: AggregateTracker) => Repositories;
  readonly #tables: readonly Restorable[];
  readonly #outbox: DomainEvent[];

  constructor(
    repositories: (tracker: AggregateTracker) => Repositories,
    tables: readonly Restorable[],
    outbox: DomainEvent[],
  ) {
    this.#repositories = repositories;
    this.#tables = tables;
    this.#outbox = outbox;
  }

  async run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    const restores = this.#tables.map((table) => table.checkpoint());
    const tracker = new AggregateTracker();
    try {
      const result = await work(this.#repositories(tracker));
      this.#outbox.push(...tracker.pullEvents());
      return result;
    } catch (error) {
      for (const restore of restores) restore();
      throw error;
    }
  }
}

export function inMemoryUnitOfWorkFactory<Repositories>(
  repositories: (tracker: AggregateTracker) => Repositories,
  tables: readonly Restorable[],
  outbox: DomainEvent[],
): UnitOfWorkFactory<Repositories> {
  return () => new InMemoryUnitOfWork(repositories, tables, outbox);
}
