import type { Kysely, Transaction } from 'kysely';
import type { UnitOfWork, UnitOfWorkFactory } from '../application/unit-of-work.ts';
import type { AggregateRoot } from '../domain/aggregate-root.ts';
import type { DomainEvent } from '../domain/domain-event.ts';
import type { Outbox } from './outbox.ts';

/** Remembers the aggregates a unit of work's repositories handed out or stored. */
export class AggregateTracker {
  readonly #aggregates = new Set<AggregateRoot>();

  track<A extends AggregateRoot>(aggregate: A): A {
    this.#aggregates.add(aggregate);
    return aggregate;
  }

  /** Every recorded event, in the order it was recorded (Snowflake ids increase). */
  pullEvents(): DomainEvent[] {
    const events = [...this.#aggregates].flatMap((aggregate) => aggregate.pullEvents());
    return events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

export type RepositoriesFactory<Repositories> = (
  tx: Transaction<unknown>,
  tracker: AggregateTracker,
) => Repositories;

/**
 * The Kysely unit of work: one database transaction per `run` (or, made on a transaction, a part of it). Repositories are bound to the
 * transaction and report the aggregates they touch to the tracker; before commit, their recorded
 * events go to the outbox in the same transaction.
 */
export class KyselyUnitOfWork<Repositories> implements UnitOfWork<Repositories> {
  readonly #db: Kysely<unknown>;
  readonly #repositories: RepositoriesFactory<Repositories>;
  readonly #outbox: Outbox;
  #used = false;

  constructor(db: Kysely<unknown>, repositories: RepositoriesFactory<Repositories>, outbox: Outbox) {
    this.#db = db;
    this.#repositories = repositories;
    this.#outbox = outbox;
  }

  async run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    if (this.#used) throw new Error('A unit of work runs once; make a new one per command');
    this.#used = true;
    let events: DomainEvent[] = [];
    const inTransaction = async (tx: Transaction<unknown>): Promise<T> => {
      const tracker = new AggregateTracker();
      const value = await work(this.#repositories(tx, tracker));
      events = tracker.pullEvents();
      await this.#outbox.append(tx, events);
      return value;
    };
    // Given a transaction (an event subscriber's delivery), the work joins it: the outer owner commits.
    if (this.#db.isTransaction) return inTransaction(this.#db as Transaction<unknown>);
    const result = await this.#db.transaction().execute(inTransaction);
    this.#outbox.committed(events);
    return result;
  }
}

export function kyselyUnitOfWorkFactory<Repositories>(
  db: Kysely<unknown>,
  repositories: RepositoriesFactory<Repositories>,
  outbox: Outbox,
): UnitOfWorkFactory<Repositories> {
  return () => new KyselyUnitOfWork(db, repositories, outbox);
}
