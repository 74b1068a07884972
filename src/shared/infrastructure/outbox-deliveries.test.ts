import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

    // A database and a session of their own per case: the plan cache's counts are per session.
    beforeEach(async () => {
      fresh = await freshDatabase();
      database = await openDatabase(fresh.target, { poolSize: 1, pipelineConnections: 0 });
      await sql`set plan_cache_mode = auto`.execute(database.db);
      await sql`
      insert into shared.outbox (id, name, aggregate_type, aggregate_id, occurred_at, payload)
      select g, 'test.thing_happened', 'thing', g, now(), '{}' from generate_series(1, 6000) g`.execute(
        database.db,
      );
      // Deliveries done, of the subscriber the claim runs: the history every busy outbox has.
      await sql`
      insert into shared.outbox_deliveries (event_id, subscriber, event_name, aggregate_id, status)
      select id, 'test.subscriber', name, aggregate_id, 'delivered' from shared.outbox where id <= 3000`.execute(
        database.db,
      );
    });
    afterEach(async () => {
      await database.close();
      await fresh.dispose();
    });

    const claimer = (db: Kysely<unknown>) => {
      const deliveries = new OutboxDeliveries(db);
      return () =>
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
    };

    // PostgreSQL plans a prepared statement's first five runs for their values, then keeps the
    // generic plan unless it looks dearer than those. With the batch size a parameter it looked
    // dearer below, and every claim was planned.

    it('keeps its generic plan while the statistics count thousands of its deliveries waiting', async () => {
      const { db } = database;
      // A backlog the claim cannot take yet (due in an hour).
      await sql`
      insert into shared.outbox_deliveries (event_id, subscriber, event_name, aggregate_id, available_at)
      select id, 'test.subscriber', name, aggregate_id, now() + interval '1 hour' from shared.outbox where id > 3000`.execute(
        db,
      );
      await sql`analyze shared.outbox_deliveries`.execute(db);
      const claim = claimer(db);
      for (let i = 0; i < 10; i += 1) expect(await claim()).toEqual([]);
      expect(await claimPlans(db)).toEqual([{ custom: 5, generic: 5 }]);

      // The literal did not change what it claims: a due delivery is claimed, once.
      await sql`update shared.outbox_deliveries set available_at = now() where event_id = 3007 and subscriber = 'test.subscriber'`.execute(
        db,
      );
      expect((await claim()).map((d) => String(d.event.aggregate_id))).toEqual(['3007']);
      expect(await claim()).toEqual([]);
    });
  },
);
