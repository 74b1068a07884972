import type { ColumnType, Kysely } from 'kysely';
import type { DomainEvent, Json } from '../domain/domain-event.ts';
import { UnitOfWorkScope } from './unit-of-work.ts';

export interface OutboxTable {
  id: ColumnType<string, bigint | string, never>;
  name: ColumnType<string, string, never>;
  aggregate_type: ColumnType<string, string, never>;
  aggregate_id: ColumnType<string, bigint | string, never>;
  occurred_at: ColumnType<Date, Date, never>;
  payload: ColumnType<Json, string, never>;
  recorded_at: ColumnType<Date, never, never>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface OutboxDeliveriesTable {
  id: ColumnType<string, never, never>;
  event_id: ColumnType<string, bigint | string, never>;
  subscriber: ColumnType<string, string, never>;
  event_name: ColumnType<string, string, never>;
  aggregate_id: ColumnType<string, bigint | string, never>;
  status: ColumnType<DeliveryStatus, never, DeliveryStatus>;
  attempts: ColumnType<number, never, number>;
  available_at: ColumnType<Date, never, Date>;
  claimed_by: ColumnType<string | null, never, string | null>;
  claimed_until: ColumnType<Date | null, never, Date | null>;
  last_error: ColumnType<string | null, never, string | null>;
  finished_at: ColumnType<Date | null, never, Date | null>;
}

export interface OutboxTables {
  'shared.outbox': OutboxTable;
  'shared.outbox_deliveries': OutboxDeliveriesTable;
}

/** Who an event fans out to: the message bus's subscriptions. */
export interface SubscriberDirectory {
  subscribersOf(eventName: string): readonly string[];
}

const NOBODY: SubscriberDirectory = { subscribersOf: () => [] };

type AppendListener = (events: readonly DomainEvent[]) => void;

/**
 * The writing side of the transactional outbox. `record` runs inside the command's unit of work,
 * so events are stored if and only if the state change that produced them is, each with one
 * delivery per subscriber the directory names at that moment. Listeners (the relay) are told after
 * commit, which only wakes them early: they would find the rows anyway.
 *
 * Without a directory (repository tests) events are stored and routed to nobody.
 */
export class Outbox {
  readonly #listeners = new Set<AppendListener>();
  readonly #directory: SubscriberDirectory;

  constructor(directory: SubscriberDirectory = NOBODY) {
    this.#directory = directory;
  }

  /** True when at least one of the events has a subscriber, i.e. `record` made deliveries. */
  hasSubscribers(events: readonly DomainEvent[]): boolean {
    return events.some((event) => this.#directory.subscribersOf(event.name).length > 0);
  }

  /**
   * Queues the events (and their deliveries) with the unit of work's other writes, so they reach
   * the server in the same statement as the state change they describe.
   */
  async record(scope: UnitOfWorkScope, events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((event) => ({
      id: event.id,
      name: event.name,
      aggregate_type: event.aggregate_type,
      aggregate_id: event.aggregate_id,
      occurred_at: event.occurred_at,
      payload: JSON.stringify(event.payload),
    }));
    await scope.insert<OutboxTables, 'shared.outbox'>('shared.outbox', rows);
    // In event order, so that identity ids (the per-aggregate delivery order) follow it.
    const deliveries = events.flatMap((event) =>
      this.#directory.subscribersOf(event.name).map((subscriber) => ({
        event_id: event.id,
        subscriber,
        event_name: event.name,
        aggregate_id: event.aggregate_id,
      })),
    );
    // In the same statement as the events it references: the foreign key is checked at its end.
    if (deliveries.length > 0)
      await scope.insert<OutboxTables, 'shared.outbox_deliveries'>('shared.outbox_deliveries', deliveries);
  }

  /** Stores events inside a transaction the caller owns (one statement, like `record`). */
  async append(tx: Kysely<unknown>, events: readonly DomainEvent[]): Promise<void> {
    const scope = UnitOfWorkScope.of(tx);
    await this.record(scope, events);
    await scope.commit();
  }

  /** Subscribes to "events were committed"; returns the unsubscribe function. */
  onCommitted(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  committed(events: readonly DomainEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.#listeners) listener(events);
  }
}
