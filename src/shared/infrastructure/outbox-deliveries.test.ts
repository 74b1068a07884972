import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onServer, type TestDatabase } from '../../../test/support/database.ts';
import { type Database, openDatabase } from './database.ts';
import { OutboxDeliveries } from './outbox-deliveries.ts';

// The relay's behaviour (claims, order, leases, dead letters) is tested in outbox-relay.test.ts;
// this is about how PostgreSQL plans its claim.
describe.runIf(onServer)(
  'the relay claim on the PostgreSQL server (one connection, no pipeline, to see its session)',
  () => {
    let fresh: TestDatabase;
    let database: Database<unknown>;
    const claimPlans = async (db: Kysely<unknown>) =>
      (
        await sql<{ generic: number; custom: number }>`
        select generic_plans::int as generic, custom_plans::int as custom
          from pg_prepared_statements where statement like '%with due as%'`.execute(db)
      ).rows;

    beforeAll(async () => {
      fresh = await freshDatabase();
      database = await openDatabase(fresh.target, { poolSize: 1, pipelineConnections: 0 });
    });
    afterAll(async () => {
      await database.close();
      await fresh.dispose();
    });

    it('keeps its generic plan while the statistics count thousands of pending deliveries', async () => {
      const { db } = database;
      // Deliveries done for one subscriber, a backlog the claim cannot take yet (due in an hour) for
      // another, and statistics that know of both: the state in which a claim with its limit as a
      // parameter was planned again on every call.
      await sql`
      insert into shared.outbox (id, name, aggregate_type, aggregate_id, occurred_at, payload)
      select g, 'test.thing_happened', 'thing', g, now(), '{}' from generate_series(1, 3000) g`.execute(db);
      await sql`
      insert into shared.outbox_deliveries (event_id, subscriber, event_name, aggregate_id, status)
      select id, 'test.done', name, aggregate_id, 'delivered' from shared.outbox`.execute(db);
      await sql`
      insert into shared.outbox_deliveries (event_id, subscriber, event_name, aggregate_id, available_at)
      select id, 'test.subscriber', name, aggregate_id, now() + interval '1 hour' from shared.outbox`.execute(
        db,
      );
      await sql`analyze shared.outbox_deliveries`.execute(db);

      const deliveries = new OutboxDeliveries(db);
      const claim = () =>
        deliveries.claim({
          relay: 'relay-1',
          routes: [
            { event: 'test.thing_happened', subscriber: 'test.subscriber' },
            ...['a', 'b', 'c', 'd', 'e', 'f'].map((x) => ({
              event: `test.${x}_happened`,
              subscriber: `test.${x}`,
            })),
          ],
          limit: 20,
          leaseMs: 30_000,
          maxAttempts: 5,
        });
      for (let i = 0; i < 10; i += 1) expect(await claim()).toEqual([]);
      // PostgreSQL plans a prepared statement's first five runs for their values, then keeps the
      // generic plan if it is not dearer than those.
      expect(await claimPlans(db)).toEqual([{ custom: 5, generic: 5 }]);

      // The literals did not change what it claims: a due delivery is claimed, once.
      await sql`update shared.outbox_deliveries set available_at = now() where event_id = 7`.execute(db);
      expect((await claim()).map((d) => String(d.event.aggregate_id))).toEqual(['7']);
      expect(await claim()).toEqual([]);
    });
  },
);
