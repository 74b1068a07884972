import { sql } from 'kysely';
import type { App } from '../../src/app.ts';
import type { DomainEvent, Json } from '../../src/shared/domain/domain-event.ts';
import { Id } from '../../src/shared/domain/id.ts';

/** The stored events of one name, oldest first, as a relay would read them back. */
export async function storedEvents(app: App, name: string): Promise<DomainEvent[]> {
  const { rows } = await sql<{
    id: string;
    name: string;
    aggregate_type: string;
    aggregate_id: string;
    occurred_at: Date;
    payload: { [key: string]: Json };
  }>`select id, name, aggregate_type, aggregate_id, occurred_at, payload
       from shared.outbox where name = ${name} order by id`.execute(app.database.db);
  return rows.map((row) => ({ ...row, id: Id.of(row.id), aggregate_id: Id.of(row.aggregate_id) }));
}

/**
 * Hands an event to the app's subscriber in a transaction of its own, as the outbox relay does
 * (a stand-in until the relay is wired in): the subscriber's work commits or rolls back with it.
 */
export async function deliver(app: App, subscriber: string, event: DomainEvent): Promise<void> {
  const subscription = app.subscriptions.find((s) => s.subscriber === subscriber && s.event === event.name);
  if (subscription === undefined) throw new Error(`no subscriber ${subscriber} for ${event.name}`);
  await app.database.db.transaction().execute((tx) => subscription.handle(event, tx));
}
