import type { ColumnType, Kysely } from 'kysely';
import type { DomainEvent, Json } from '../domain/domain-event.ts';

export interface OutboxTable {
  id: ColumnType<string, bigint | string, never>;
  name: ColumnType<string, string, never>;
  aggregate_type: ColumnType<string, string, never>;
  aggregate_id: ColumnType<string, bigint | string, never>;
  occurred_at: ColumnType<Date, Date, never>;
  payload: ColumnType<Json, string, never>;
  recorded_at: ColumnType<Date, never, never>;
}

export interface OutboxTables {
  'shared.outbox': OutboxTable;
}

type AppendListener = (events: readonly DomainEvent[]) => void;

/**
 * The writing side of the transactional outbox. `append` runs inside the command's transaction,
 * so events are stored if and only if the state change that produced them is. Listeners (the
 * relay) are told after commit, which only wakes them early: they would find the rows anyway.
 */
export class Outbox {
  readonly #listeners = new Set<AppendListener>();

  async append(tx: Kysely<unknown>, events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    await (tx as Kysely<OutboxTables>)
      .insertInto('shared.outbox')
      .values(
        events.map((event) => ({
          id: event.id,
          name: event.name,
          aggregate_type: event.aggregate_type,
          aggregate_id: event.aggregate_id,
          occurred_at: event.occurred_at,
          payload: JSON.stringify(event.payload),
        })),
      )
      .execute();
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
