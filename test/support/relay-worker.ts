/**
 * A relay in a process of its own, for tests that need several processes or a real crash
 * (PostgreSQL only). Subscribers named in SUBSCRIBERS write their effect to public.test_effects
 * in the delivery's transaction. With HANG=1 the subscriber writes its effect, says so, and never
 * returns: the test then kills the process in the middle of the delivery's transaction.
 *
 *   DATABASE_URL=postgres://… SUBSCRIBERS=test.first,test.second WORKER=a node test/support/relay-worker.ts
 */
import { pino } from 'pino';
import { openDatabase } from '../../src/shared/infrastructure/database.ts';
import { OutboxRelay } from '../../src/shared/infrastructure/outbox-relay.ts';
import { PgOutboxSignal } from '../../src/shared/infrastructure/outbox-signal.ts';
import { busAndOutbox, recordEffect, testSubscription } from './outbox.ts';

const env = process.env;
const worker = env.WORKER ?? String(process.pid);
const hang = env.HANG === '1';
const database = await openDatabase<unknown>(
  { kind: 'postgres', url: env.DATABASE_URL ?? '' },
  { poolSize: 10 },
);
const logger = pino({ level: env.WORKER_LOG_LEVEL ?? 'warn' });
const { bus } = busAndOutbox(
  (env.SUBSCRIBERS ?? 'test.first').split(',').map((subscriber) =>
    testSubscription('test.thing_happened', subscriber, async (event, tx) => {
      await recordEffect(tx, event, subscriber, worker);
      if (hang) {
        process.stdout.write(`delivering ${event.id}\n`);
        await new Promise(() => undefined);
      }
    }),
  ),
);
const relays = Array.from(
  { length: Number(env.RELAYS ?? 1) },
  (_, i) =>
    new OutboxRelay({
      db: database.db,
      target: bus,
      logger,
      name: `${worker}-${i}`,
      maxAttempts: 5,
      pollIntervalMs: 1_000,
      backoff: { baseMs: 0, maxMs: 0 },
      batchSize: Number(env.BATCH_SIZE ?? 20),
      concurrency: Number(env.CONCURRENCY ?? 4),
      leaseMs: Number(env.LEASE_MS ?? 30_000),
    }),
);
const signal = new PgOutboxSignal(database.pool!, logger);
for (const relay of relays) relay.start();
await signal.listen(() => {
  for (const relay of relays) relay.wake();
});
process.stdout.write(`relay worker ${worker} ready\n`);

process.once('SIGTERM', async () => {
  await Promise.all(relays.map((relay) => relay.stop()));
  await signal.close();
  await database.close();
  process.exit(0);
});
