import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.ts';
import {
  anEvent,
  busAndOutbox,
  commitEvents,
  deliveries,
  testSubscription,
} from '../../../test/support/outbox.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { OutboxRetention } from './outbox-retention.ts';

describe('outbox retention', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.dispose());

  it('purges deliveries delivered longer ago than the retention, and keeps younger ones', async () => {
    const { bus, outbox } = busAndOutbox([
      testSubscription('test.thing_happened', 'test.first', async () => undefined),
    ]);
    const relay = new OutboxRelay({
      db: database.db,
      target: bus,
      logger: pino({ level: 'silent' }),
      maxAttempts: 3,
      pollIntervalMs: 60_000,
      backoff: { baseMs: 0, maxMs: 0 },
    });
    const old = anEvent();
    const young = anEvent();
    await commitEvents(database.db, outbox, [old, young]);
    await relay.drain();
    await sql`update shared.outbox set recorded_at = now() - interval '3 hours' where id = ${old.id}`.execute(
      database.db,
    );
    await sql`update shared.outbox_deliveries set finished_at = now() - interval '3 hours'
               where event_id = ${old.id}`.execute(database.db);

    const retention = new OutboxRetention(2);
    expect(await retention.run(database.db)).toEqual({ deliveries: 1, events: 1 });
    expect((await deliveries(database.db)).map((d) => d.event_id)).toEqual([young.id.toString()]);
  });
});
