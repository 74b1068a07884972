import { type Kysely, sql, type Transaction } from 'kysely';
import type { App } from '../../src/app.ts';
import type { Subscription } from '../../src/shared/application/event-registry.ts';
import { MessageBus } from '../../src/shared/application/message-bus.ts';
import { systemClock } from '../../src/shared/domain/clock.ts';
import type { DomainEvent, Json } from '../../src/shared/domain/domain-event.ts';
import { Id, SnowflakeIdGenerator } from '../../src/shared/domain/id.ts';
import { Outbox } from '../../src/shared/infrastructure/outbox.ts';

type Handler = (event: DomainEvent, tx: Transaction<unknown>) => Promise<void>;

/**
 * A subscription to an event name no context publishes (`test.thing_happened`): tests of the
 * outbox machinery should not depend on a real context's events. The registry types real
 * subscriptions; this one is cast on purpose.
 */
export function testSubscription(
  event: string,
  subscriber: string,
  handle: Handler,
): Subscription<Transaction<unknown>> {
  return { event, subscriber, handle } as unknown as Subscription<Transaction<unknown>>;
}

/** A bus with the given subscriptions and the outbox that routes by it, as app.ts wires them. */
export function busAndOutbox(subscriptions: readonly Subscription<Transaction<unknown>>[]) {
  const bus = new MessageBus();
  bus.subscribe(subscriptions);
  return { bus, outbox: new Outbox(bus) };
}

const ids = new SnowflakeIdGenerator(1000 + Math.floor(Math.random() * 23), systemClock);

/** A stored-event-shaped value (an Object Mother); every call makes a new id. */
export function anEvent(
  overrides: { name?: string; aggregateId?: Id; payload?: { readonly [key: string]: Json } } = {},
): DomainEvent {
  return {
    id: ids.next(),
    name: overrides.name ?? 'test.thing_happened',
    aggregate_type: 'thing',
    aggregate_id: overrides.aggregateId ?? ids.next(),
    occurred_at: new Date(),
    payload: overrides.payload ?? { n: 1 },
  };
}

export function newAggregateId(): Id {
  return ids.next();
}

/** Stores the events in one committed transaction, as a command's unit of work does, and tells the listeners. */
export async function commitEvents(
  db: Kysely<unknown>,
  outbox: Outbox,
  events: readonly DomainEvent[],
): Promise<void> {
  await db.transaction().execute((tx) => outbox.append(tx, events));
  outbox.committed(events);
}

/**
 * A table where test subscribers write their effect, inside the delivery's transaction. It has no
 * unique key on purpose: exactly-once is proven by counting rows, not by a constraint refusing
 * a second one. `seq` records the order effects were written in.
 */
export async function createEffectsTable(db: Kysely<unknown>): Promise<void> {
  await sql`create table if not exists public.test_effects (
    seq bigint generated always as identity primary key,
    event_id bigint not null,
    aggregate_id bigint not null,
    subscriber text not null,
    relay text not null default ''
  )`.execute(db);
}

export async function recordEffect(
  tx: Kysely<unknown>,
  event: DomainEvent,
  subscriber: string,
  relay = '',
): Promise<void> {
  await sql`insert into public.test_effects (event_id, aggregate_id, subscriber, relay)
            values (${event.id}, ${event.aggregate_id}, ${subscriber}, ${relay})`.execute(tx);
}

export interface Effect {
  readonly eventId: string;
  readonly aggregateId: string;
  readonly subscriber: string;
  readonly relay: string;
}

/** Every effect, in the order they were written. */
export async function effects(db: Kysely<unknown>): Promise<Effect[]> {
  const { rows } = await sql<{ event_id: string; aggregate_id: string; subscriber: string; relay: string }>`
    select event_id, aggregate_id, subscriber, relay from public.test_effects order by seq`.execute(db);
  return rows.map((r) => ({
    eventId: r.event_id,
    aggregateId: r.aggregate_id,
    subscriber: r.subscriber,
    relay: r.relay,
  }));
}

export interface DeliveryRow {
  readonly id: string;
  readonly event_id: string;
  readonly subscriber: string;
  readonly status: 'pending' | 'delivered' | 'dead';
  readonly attempts: number;
  readonly last_error: string | null;
  readonly claimed_by: string | null;
  readonly available_at: Date;
}

export async function deliveries(db: Kysely<unknown>): Promise<DeliveryRow[]> {
  const { rows } = await sql<DeliveryRow>`
    select id, event_id, subscriber, status, attempts, last_error, claimed_by, available_at
      from shared.outbox_deliveries order by id`.execute(db);
  return rows;
}

/** Retries `check` until it returns true (for effects of other processes); fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A promise with its resolve function, to wait for a callback without sleeping. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

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
 * Hands an event to one of the app's subscribers in a transaction of its own, as the relay does:
 * the subscriber's work commits or rolls back with it. (For tests that run with OUTBOX_RELAY=false.)
 */
export async function deliver(app: App, subscriber: string, event: DomainEvent): Promise<void> {
  await app.database.db.transaction().execute((tx) => app.bus.deliver(subscriber, event, tx));
}
