import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onServer, openTestDatabase } from '../../../test/support/database.ts';
import {
  anEvent,
  busAndOutbox,
  commitEvents,
  createEffectsTable,
  deferred,
  deliveries,
  effects,
  newAggregateId,
  recordEffect,
  testSubscription,
} from '../../../test/support/outbox.ts';
import type { Subscription } from '../application/event-registry.ts';
import type { DomainEvent } from '../domain/domain-event.ts';
import { OutboxDeliveries } from './outbox-deliveries.ts';
import { OutboxOperations } from './outbox-operations.ts';
import { OutboxRelay, type RelayOptions } from './outbox-relay.ts';

type Db = Awaited<ReturnType<typeof openTestDatabase>>;
const silent = pino({ level: 'silent' });

let database: Db;
beforeAll(async () => {
  database = await openTestDatabase();
  await createEffectsTable(database.db);
});
afterAll(() => database.dispose());
beforeEach(async () => {
  await sql`truncate shared.outbox, shared.outbox_deliveries, public.test_effects restart identity cascade`.execute(
    database.db,
  );
});

/** A subscriber that writes its effect in the delivery's transaction, and fails its first `failures` calls. */
function effectSubscriber(
  subscriber: string,
  options: { failures?: number; failOn?: (e: DomainEvent) => boolean } = {},
) {
  let failuresLeft = options.failures ?? 0;
  const calls: DomainEvent[] = [];
  const subscription = testSubscription('test.thing_happened', subscriber, async (event, tx) => {
    calls.push(event);
    await recordEffect(tx, event, subscriber);
    if (options.failOn?.(event)) throw new Error(`${subscriber} cannot handle ${event.id}`);
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      throw new Error(`${subscriber} failed on purpose`);
    }
  });
  return { subscription, calls };
}

function relayFor(
  bus: RelayOptions['target'],
  options: Partial<Omit<RelayOptions, 'db' | 'target' | 'logger'>> = {},
): OutboxRelay {
  return new OutboxRelay({
    db: database.db,
    target: bus,
    logger: silent,
    maxAttempts: 5,
    pollIntervalMs: 60_000,
    backoff: { baseMs: 0, maxMs: 0 },
    ...options,
  });
}

function setUp(
  subscriptions: readonly Subscription<Transaction<unknown>>[],
  options: Parameters<typeof relayFor>[1] = {},
) {
  const { bus, outbox } = busAndOutbox(subscriptions);
  return { bus, outbox, relay: relayFor(bus, options) };
}

describe('the outbox', () => {
  it('stores one delivery per subscriber with the event, and none for an event nobody subscribes to', async () => {
    const { outbox } = setUp([
      effectSubscriber('test.first').subscription,
      effectSubscriber('test.second').subscription,
    ]);
    const subscribed = anEvent();
    const ignored = anEvent({ name: 'test.nobody_listens' });
    await commitEvents(database.db, outbox, [subscribed, ignored]);

    const rows = await deliveries(database.db);
    expect(rows.map((r) => [r.event_id, r.subscriber, r.status, r.attempts])).toEqual([
      [subscribed.id.toString(), 'test.first', 'pending', 0],
      [subscribed.id.toString(), 'test.second', 'pending', 0],
    ]);
    const { rows: stored } = await sql<{ n: string }>`select count(*) as n from shared.outbox`.execute(
      database.db,
    );
    expect(Number(stored[0]?.n)).toBe(2);
  });

  it('stores nothing, and so delivers nothing, when the command rolls back', async () => {
    const first = effectSubscriber('test.first');
    const { outbox, relay } = setUp([first.subscription]);
    await expect(
      database.db.transaction().execute(async (tx) => {
        await outbox.append(tx, [anEvent()]);
        throw new Error('the command failed after recording its event');
      }),
    ).rejects.toThrow('the command failed');

    expect(await relay.drain()).toMatchObject({ claimed: 0 });
    expect(await deliveries(database.db)).toEqual([]);
    expect(first.calls).toEqual([]);
  });
});

describe('the relay', () => {
  it('delivers a committed event once to each subscriber, writing the effect and the mark together', async () => {
    const first = effectSubscriber('test.first');
    const second = effectSubscriber('test.second');
    const { outbox, relay } = setUp([first.subscription, second.subscription]);
    const event = anEvent();
    await commitEvents(database.db, outbox, [event]);

    expect(await relay.drain()).toMatchObject({ claimed: 2, delivered: 2 });
    expect(await relay.drain()).toMatchObject({ claimed: 0 });
    expect((await effects(database.db)).map((e) => [e.eventId, e.subscriber])).toEqual([
      [event.id.toString(), 'test.first'],
      [event.id.toString(), 'test.second'],
    ]);
    expect((await deliveries(database.db)).map((d) => [d.status, d.attempts, d.claimed_by])).toEqual([
      ['delivered', 1, null],
      ['delivered', 1, null],
    ]);
    expect(first.calls[0]).toEqual(event);
  });

  it('delivers the deliveries of a subscriber with only database effects several to a transaction', async () => {
    const transactions = { grouped: new Set<unknown>(), alone: new Set<unknown>() };
    const subscriber = (name: string, into: Set<unknown>, onlyDatabaseEffects: boolean) => ({
      ...testSubscription('test.thing_happened', name, async (event, tx) => {
        into.add(tx);
        await recordEffect(tx, event, name);
      }),
      onlyDatabaseEffects,
    });
    const { outbox, relay } = setUp(
      [
        subscriber('test.grouped', transactions.grouped, true) as Subscription<Transaction<unknown>>,
        subscriber('test.alone', transactions.alone, false) as Subscription<Transaction<unknown>>,
      ],
      { concurrency: 2 },
    );
    const events = Array.from({ length: 8 }, () => anEvent());
    await commitEvents(database.db, outbox, events);

    expect(await relay.drain()).toMatchObject({ claimed: 16, delivered: 16, retrying: 0 });
    const all = await effects(database.db);
    for (const name of ['test.grouped', 'test.alone']) {
      expect(
        all
          .filter((e) => e.subscriber === name)
          .map((e) => e.eventId)
          .sort(),
      ).toEqual(events.map((e) => e.id.toString()).sort());
    }
    // Two groups of four (one per worker) for the first; one transaction per delivery for the other.
    expect(transactions.grouped.size).toBe(2);
    expect(transactions.alone.size).toBe(8);
    expect((await deliveries(database.db)).every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(
      true,
    );
  });

  it('when one delivery of a group fails, rolls the group back and runs each alone: the rest happen once', async () => {
    const events = Array.from({ length: 6 }, () => anEvent());
    const failing = events[3]!;
    const grouped = effectSubscriber('test.grouped', { failOn: (event) => event.id === failing.id });
    const { outbox, relay } = setUp([
      { ...grouped.subscription, onlyDatabaseEffects: true } as Subscription<Transaction<unknown>>,
    ]);
    await commitEvents(database.db, outbox, events);

    expect(await relay.runOnce()).toMatchObject({ claimed: 6, delivered: 5, retrying: 1 });
    // The group's first attempt wrote effects, then rolled them back; each ran again alone.
    expect(grouped.calls.length).toBeGreaterThan(6);
    const written = (await effects(database.db)).map((e) => e.eventId).sort();
    expect(written).toEqual(
      events
        .filter((e) => e !== failing)
        .map((e) => e.id.toString())
        .sort(),
    );
    const rows = await deliveries(database.db);
    expect(rows.find((d) => d.event_id === failing.id.toString())).toMatchObject({
      status: 'pending',
      attempts: 1,
    });
    expect(rows.filter((d) => d.status === 'delivered')).toHaveLength(5);
  });

  it.runIf(onServer)(
    'gives a group up when it waits 100 ms for a lock, and runs its deliveries alone',
    async () => {
      await sql`create table if not exists public.test_locks (id int primary key)`.execute(database.db);
      await sql`insert into public.test_locks values (1) on conflict do nothing`.execute(database.db);
      const calls: DomainEvent[] = [];
      const locking = {
        ...testSubscription('test.thing_happened', 'test.locking', async (event, tx) => {
          calls.push(event);
          await sql`select id from public.test_locks where id = 1 for update`.execute(tx);
          await recordEffect(tx, event, 'test.locking');
        }),
        onlyDatabaseEffects: true,
      } as Subscription<Transaction<unknown>>;
      const { outbox, relay } = setUp([locking]);
      const events = [anEvent(), anEvent()];
      await commitEvents(database.db, outbox, events);

      // Someone else holds the row for 600 ms: a group that queued behind it would run its two
      // deliveries once each, in one transaction, when the lock is released.
      const holder = database.db.transaction().execute(async (tx) => {
        await sql`select id from public.test_locks where id = 1 for update`.execute(tx);
        await new Promise((resolve) => setTimeout(resolve, 600));
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await relay.runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
      await holder;
      // The group gave up (55P03) long before the lock was free; the deliveries then ran alone.
      expect(calls.length).toBe(3);
      expect((await effects(database.db)).map((e) => e.eventId).sort()).toEqual(
        events.map((e) => e.id.toString()).sort(),
      );
    },
  );

  it('refreshes the planner statistics of the deliveries table when a claim is slow', async () => {
    const first = effectSubscriber('test.first');
    const { outbox } = busAndOutbox([first.subscription]);
    const analyzed = deferred();
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => line.includes('refreshing') && analyzed.resolve() },
    );
    const relay = new OutboxRelay({
      db: database.db,
      target: busAndOutbox([first.subscription]).bus,
      logger,
      maxAttempts: 5,
      pollIntervalMs: 60_000,
      backoff: { baseMs: 0, maxMs: 0 },
      slowClaimMs: 0,
    });
    await commitEvents(database.db, outbox, [anEvent()]);
    await relay.drain();
    await analyzed.promise;
    // ANALYZE ran without error and the relay still works afterwards.
    await commitEvents(database.db, outbox, [anEvent()]);
    expect(await relay.drain()).toMatchObject({ delivered: 1 });
    expect(await effects(database.db)).toHaveLength(2);
  });

  it('retries a subscriber that throws twice and then succeeds: delivered once, attempts = 3', async () => {
    const flaky = effectSubscriber('test.flaky', { failures: 2 });
    const { outbox, relay } = setUp([flaky.subscription]);
    await commitEvents(database.db, outbox, [anEvent()]);

    expect(await relay.drain()).toMatchObject({ delivered: 1, retrying: 2, dead: 0 });
    const [delivery] = await deliveries(database.db);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(delivery?.last_error).toMatch(/test\.flaky failed on purpose/);
    expect(flaky.calls).toHaveLength(3);
    // The two failed attempts rolled their effects back: only the successful one remains.
    expect(await effects(database.db)).toHaveLength(1);
  });

  it('dead-letters a delivery whose subscriber always throws, after the configured attempts', async () => {
    const broken = effectSubscriber('test.broken', { failures: Number.POSITIVE_INFINITY });
    const { outbox, relay } = setUp([broken.subscription], { maxAttempts: 3 });
    await commitEvents(database.db, outbox, [anEvent()]);

    expect(await relay.drain()).toMatchObject({ delivered: 0, retrying: 2, dead: 1 });
    const [delivery] = await deliveries(database.db);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 3, claimed_by: null });
    expect(delivery?.last_error).toBe('Error: test.broken failed on purpose');
    expect(broken.calls).toHaveLength(3);
    expect(await effects(database.db)).toEqual([]);
    expect(await relay.drain()).toMatchObject({ claimed: 0 });
  });

  it('logs a dead letter at error level with the delivery, subscriber, event and last error', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const broken = effectSubscriber('test.broken', { failures: Number.POSITIVE_INFINITY });
    const { outbox, bus } = busAndOutbox([broken.subscription]);
    const relay = new OutboxRelay({
      db: database.db,
      target: bus,
      logger,
      maxAttempts: 2,
      pollIntervalMs: 60_000,
      backoff: { baseMs: 0, maxMs: 0 },
    });
    const event = anEvent();
    await commitEvents(database.db, outbox, [event]);
    await relay.drain();

    const [delivery] = await deliveries(database.db);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'outbox delivery failed; it will be retried'],
      [50, 'outbox delivery is a dead letter; `npm run cli -- outbox retry <delivery>` redelivers it'],
    ]);
    expect(lines[1]).toMatchObject({
      delivery: delivery?.id,
      subscriber: 'test.broken',
      event: 'test.thing_happened',
      eventId: event.id.toString(),
      attempts: 2,
      error: 'Error: test.broken failed on purpose',
    });
  });

  it('redelivers a dead letter put back by `retry` once the fault is fixed', async () => {
    let fixed = false;
    const calls: string[] = [];
    const { outbox, relay } = setUp(
      [
        testSubscription('test.thing_happened', 'test.fixed_later', async (event, tx) => {
          calls.push(fixed ? 'fixed' : 'broken');
          if (!fixed) throw new Error('not yet');
          await recordEffect(tx, event, 'test.fixed_later');
        }),
      ],
      { maxAttempts: 2 },
    );
    await commitEvents(database.db, outbox, [anEvent()]);
    await relay.drain();
    const [dead] = await deliveries(database.db);
    expect(dead?.status).toBe('dead');

    fixed = true;
    expect(await OutboxOperations.retry(database.db, { id: dead!.id })).toEqual({
      kind: 'requeued',
      ids: [dead!.id],
    });
    expect(await relay.drain()).toMatchObject({ delivered: 1 });
    expect(calls).toEqual(['broken', 'broken', 'fixed']);
    expect(await effects(database.db)).toHaveLength(1);
    expect((await deliveries(database.db))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('retries only dead letters: a delivered or pending delivery is not requeued', async () => {
    const { outbox, relay } = setUp([effectSubscriber('test.first').subscription]);
    await commitEvents(database.db, outbox, [anEvent()]);
    await relay.drain();
    await commitEvents(database.db, outbox, [anEvent()]);
    const [delivered, pending] = await deliveries(database.db);

    expect(await OutboxOperations.retry(database.db, { id: delivered!.id })).toEqual({
      kind: 'not_dead',
      status: 'delivered',
    });
    expect(await OutboxOperations.retry(database.db, { id: pending!.id })).toEqual({
      kind: 'not_dead',
      status: 'pending',
    });
    expect(await OutboxOperations.retry(database.db, { id: '999999' })).toEqual({ kind: 'not_found' });
    expect(await OutboxOperations.retry(database.db, 'all-dead')).toEqual({ kind: 'requeued', ids: [] });
  });

  it('waits out the backoff before retrying a failed delivery', async () => {
    const flaky = effectSubscriber('test.flaky', { failures: 1 });
    const { outbox, relay } = setUp([flaky.subscription], { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await commitEvents(database.db, outbox, [anEvent()]);

    expect(await relay.drain()).toMatchObject({ claimed: 1, retrying: 1 });
    const { rows } = await sql<{ wait_ms: number }>`
      select extract(epoch from available_at - now()) * 1000 as wait_ms from shared.outbox_deliveries`.execute(
      database.db,
    );
    // Equal jitter: somewhere in the upper half of the 60 s delay.
    expect(Number(rows[0]?.wait_ms)).toBeGreaterThan(29_000);
    expect(Number(rows[0]?.wait_ms)).toBeLessThanOrEqual(60_000);
    expect(await relay.drain()).toMatchObject({ claimed: 0 });

    await sql`update shared.outbox_deliveries set available_at = now()`.execute(database.db);
    expect(await relay.drain()).toMatchObject({ delivered: 1 });
  });

  it("keeps one aggregate's events in order per subscriber: later ones wait while an earlier one retries", async () => {
    const aggregate = newAggregateId();
    const first = anEvent({ aggregateId: aggregate });
    const second = anEvent({ aggregateId: aggregate });
    const elsewhere = anEvent();
    const ordered = effectSubscriber('test.ordered', { failures: 1 });
    const { outbox, relay } = setUp([ordered.subscription], { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await commitEvents(database.db, outbox, [first, second, elsewhere]);

    // The first event of the aggregate fails and waits for its retry: the second waits behind it,
    // while another aggregate's event goes through.
    expect(await relay.drain()).toMatchObject({ delivered: 1, retrying: 1 });
    expect((await effects(database.db)).map((e) => e.eventId)).toEqual([elsewhere.id.toString()]);

    await sql`update shared.outbox_deliveries set available_at = now()`.execute(database.db);
    await relay.drain();
    expect((await effects(database.db)).map((e) => e.eventId)).toEqual(
      [elsewhere, first, second].map((e) => e.id.toString()),
    );
  });

  it('lets later events of an aggregate through once the earlier one is a dead letter', async () => {
    const aggregate = newAggregateId();
    const poisoned = anEvent({ aggregateId: aggregate, payload: { poison: true } });
    const later = anEvent({ aggregateId: aggregate });
    const subscriber = effectSubscriber('test.ordered', { failOn: (e) => e.payload.poison === true });
    const { outbox, relay } = setUp([subscriber.subscription], { maxAttempts: 2 });
    await commitEvents(database.db, outbox, [poisoned, later]);

    expect(await relay.drain()).toMatchObject({ delivered: 1, dead: 1 });
    expect((await effects(database.db)).map((e) => e.eventId)).toEqual([later.id.toString()]);
    expect(await OutboxOperations.backlog(database.db)).toEqual([
      {
        subscriber: 'test.ordered',
        pending: 0,
        retrying: 0,
        inFlight: 0,
        dead: 1,
        oldestPendingSeconds: null,
      },
    ]);
  });

  it('delivers, once, a delivery whose relay died holding the claim, after the claim lapses', async () => {
    const sub = effectSubscriber('test.first');
    const { bus, outbox, relay } = setUp([sub.subscription]);
    await commitEvents(database.db, outbox, [anEvent()]);
    // A relay claims the delivery and dies before running it (its claim is never finished).
    const crashed = await new OutboxDeliveries(database.db).claim({
      relay: 'crashed-relay',
      routes: bus.routes,
      limit: 10,
      leaseMs: 0,
      maxAttempts: 5,
    });
    expect(crashed).toHaveLength(1);

    expect(await relay.drain()).toMatchObject({ delivered: 1 });
    expect(await effects(database.db)).toHaveLength(1);
    const [delivery] = await deliveries(database.db);
    // The crashed claim counted as an attempt, and says what happened.
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(delivery?.last_error).toBe('relay crashed-relay stopped before it finished this delivery');
  });

  it('skips a delivery that a relay with a stale claim finds already delivered by another', async () => {
    const sub = effectSubscriber('test.first');
    const { bus, outbox } = setUp([sub.subscription]);
    await commitEvents(database.db, outbox, [anEvent()]);
    const store = new OutboxDeliveries(database.db);
    const claim = { routes: bus.routes, limit: 10, maxAttempts: 5 };
    const [stale] = await store.claim({ ...claim, relay: 'slow-relay', leaseMs: 0 });
    const [fresh] = await store.claim({ ...claim, relay: 'other-relay', leaseMs: 30_000 });
    const run = (tx: Transaction<unknown>) => bus.deliver('test.first', stale!.event, tx);

    expect(await store.deliver(fresh!, 'other-relay', run)).toBe('delivered');
    expect(await store.deliver(stale!, 'slow-relay', run)).toBe('skipped');
    expect(sub.calls).toHaveLength(1);
    expect(await effects(database.db)).toHaveLength(1);
  });

  it('dead-letters an event whose subscriber crashed the relay on every attempt, without running it again', async () => {
    const sub = effectSubscriber('test.first');
    const { bus, outbox, relay } = setUp([sub.subscription], { maxAttempts: 2 });
    await commitEvents(database.db, outbox, [anEvent()]);
    const store = new OutboxDeliveries(database.db);
    for (const relayName of ['crash-1', 'crash-2']) {
      await store.claim({
        relay: relayName,
        routes: bus.routes,
        limit: 1,
        leaseMs: 0,
        maxAttempts: 2,
      });
    }

    expect(await relay.drain()).toMatchObject({ claimed: 1, dead: 1, delivered: 0 });
    expect(sub.calls).toEqual([]);
    const [delivery] = await deliveries(database.db);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 2 });
    expect(delivery?.last_error).toMatch(/relay crash-2 stopped/);
  });

  it('on stop, finishes the running delivery and gives back the claimed ones it had not started', async () => {
    let relay!: OutboxRelay;
    let stopped!: Promise<void>;
    const calls: string[] = [];
    const setup = setUp(
      [
        testSubscription('test.thing_happened', 'test.first', async (event, tx) => {
          calls.push(event.id.toString());
          stopped = relay.stop();
          await recordEffect(tx, event, 'test.first');
        }),
      ],
      { concurrency: 1 },
    );
    relay = setup.relay;
    await commitEvents(database.db, setup.outbox, [anEvent(), anEvent(), anEvent()]);

    expect(await relay.runOnce()).toMatchObject({ claimed: 3, delivered: 1 });
    await stopped;
    expect(calls).toHaveLength(1);
    expect((await deliveries(database.db)).map((d) => [d.status, d.attempts, d.claimed_by])).toEqual([
      ['delivered', 1, null],
      ['pending', 0, null],
      ['pending', 0, null],
    ]);
  });

  it('gives a subscriber added later only the events committed after it was added', async () => {
    const old = effectSubscriber('test.old');
    const before = setUp([old.subscription]);
    await commitEvents(database.db, before.outbox, [anEvent()]);

    const late = effectSubscriber('test.late');
    const after = setUp([effectSubscriber('test.old').subscription, late.subscription]);
    const newer = anEvent();
    await commitEvents(database.db, after.outbox, [newer]);
    await after.relay.drain();

    expect(late.calls.map((e) => e.id)).toEqual([newer.id]);
  });

  it('leaves deliveries for subscribers this process does not know to the processes that do', async () => {
    const { outbox } = setUp([effectSubscriber('test.elsewhere').subscription]);
    await commitEvents(database.db, outbox, [anEvent()]);
    const here = setUp([effectSubscriber('test.here').subscription]);

    expect(await here.relay.drain()).toMatchObject({ claimed: 0 });
    expect((await deliveries(database.db))[0]).toMatchObject({
      subscriber: 'test.elsewhere',
      status: 'pending',
      attempts: 0,
    });
  });

  it('leaves an event its subscriber handles only in a newer version to the processes that run it', async () => {
    // A newer version subscribed test.first to a second event; this (older) process knows only the first.
    const newer = setUp([
      effectSubscriber('test.first').subscription,
      testSubscription('test.other_thing_happened', 'test.first', async () => undefined),
    ]);
    const known = anEvent();
    const unknownHere = anEvent({ name: 'test.other_thing_happened' });
    await commitEvents(database.db, newer.outbox, [unknownHere, known]);
    const older = setUp([effectSubscriber('test.first').subscription]);

    expect(await older.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect((await deliveries(database.db)).map((d) => [d.event_id, d.status, d.attempts])).toEqual([
      [unknownHere.id.toString(), 'pending', 0],
      [known.id.toString(), 'delivered', 1],
    ]);
  });

  it('runs in the background: a commit wakes it, with no poll needed', async () => {
    const delivered = deferred<DomainEvent>();
    const { outbox, relay } = setUp([
      testSubscription('test.thing_happened', 'test.first', async (event, tx) => {
        await recordEffect(tx, event, 'test.first');
        delivered.resolve(event);
      }),
    ]);
    // As app.ts wires them: a commit that made deliveries wakes the relay.
    outbox.onCommitted(() => relay.wake());
    relay.start();
    try {
      const event = anEvent();
      await commitEvents(database.db, outbox, [event]);
      // The poll interval is a minute: only the wake-up after commit can deliver within the test's time.
      expect((await delivered.promise).id).toBe(event.id);
    } finally {
      await relay.stop();
    }
    expect(await effects(database.db)).toHaveLength(1);
  });
});

describe('outbox operations', () => {
  it('report the backlog per subscriber: pending, retrying, in flight, dead, oldest age', async () => {
    const { bus, outbox } = setUp([
      effectSubscriber('test.first').subscription,
      effectSubscriber('test.second').subscription,
    ]);
    await commitEvents(database.db, outbox, [anEvent(), anEvent(), anEvent()]);
    await new OutboxDeliveries(database.db).claim({
      relay: 'busy',
      routes: [{ event: 'test.thing_happened', subscriber: 'test.second' }],
      limit: 1,
      leaseMs: 60_000,
      maxAttempts: 5,
    });
    await sql`update shared.outbox_deliveries set status = 'dead'
               where id = (select max(id) from shared.outbox_deliveries where subscriber = 'test.first')`.execute(
      database.db,
    );
    await sql`update shared.outbox_deliveries set attempts = 1
               where id = (select min(id) from shared.outbox_deliveries where subscriber = 'test.first')`.execute(
      database.db,
    );

    const backlog = await OutboxOperations.backlog(database.db);
    expect(backlog.map(({ oldestPendingSeconds, ...counts }) => counts)).toEqual([
      { subscriber: 'test.first', pending: 2, retrying: 1, inFlight: 0, dead: 1 },
      { subscriber: 'test.second', pending: 2, retrying: 0, inFlight: 1, dead: 0 },
    ]);
    expect(backlog[0]?.oldestPendingSeconds).toBeGreaterThanOrEqual(0);
    expect(backlog[0]?.oldestPendingSeconds).toBeLessThan(60);
    expect((await OutboxOperations.deadLetters(database.db, 10)).map((d) => d.subscriber)).toEqual([
      'test.first',
    ]);
    expect(bus.subscribers).toEqual(['test.first', 'test.second']);
  });

  it('purge delivered deliveries and the events left without any, keeping pending and dead ones', async () => {
    const { outbox, relay } = setUp(
      [
        effectSubscriber('test.first').subscription,
        effectSubscriber('test.broken', { failures: Number.POSITIVE_INFINITY }).subscription,
      ],
      { maxAttempts: 1 },
    );
    const unsubscribed = anEvent({ name: 'test.nobody_listens' });
    const delivered = anEvent();
    await commitEvents(database.db, outbox, [unsubscribed, delivered]);
    await relay.drain();
    const pendingOnly = anEvent();
    await commitEvents(database.db, outbox, [pendingOnly]);

    expect(await OutboxOperations.purgeDelivered(database.db, new Date(Date.now() - 3_600_000))).toEqual({
      deliveries: 0,
      events: 0,
    });
    const purged = await OutboxOperations.purgeDelivered(database.db, new Date(Date.now() + 60_000), 1);
    // `delivered` keeps its event: its dead letter for test.broken still needs it.
    expect(purged).toEqual({ deliveries: 1, events: 1 });
    const { rows } = await sql<{ id: string }>`select id from shared.outbox order by id`.execute(database.db);
    expect(rows.map((r) => r.id)).toEqual([delivered.id.toString(), pendingOnly.id.toString()]);
    expect((await deliveries(database.db)).map((d) => [d.subscriber, d.status])).toEqual([
      ['test.broken', 'dead'],
      ['test.first', 'pending'],
      ['test.broken', 'pending'],
    ]);
  });
});
