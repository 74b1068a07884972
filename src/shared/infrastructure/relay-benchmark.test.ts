import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onServer, openTestDatabase } from '../../../test/support/database.ts';
import { benchmarkRelay } from './relay-benchmark.ts';

describe('the relay benchmark harness', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.dispose());

  it('pushes every event through the relay and reports throughput and latency, leaving nothing behind', async () => {
    const result = await benchmarkRelay({
      db: database.db,
      events: 200,
      eventsPerCommit: 4,
      aggregates: 20,
      relays: onServer ? 2 : 1,
      concurrency: onServer ? 4 : 1,
    });
    expect(result).toMatchObject({ events: 200, deliveries: 200 });
    expect(result.deliveriesPerSecond).toBeGreaterThan(0);
    expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p99);
    expect(result.latencyMs.p99).toBeLessThanOrEqual(result.latencyMs.max);
    const { rows } = await sql<{ n: string }>`select count(*) as n from shared.outbox`.execute(database.db);
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('offers events at the rate asked for, when one is given', async () => {
    const result = await benchmarkRelay({
      db: database.db,
      events: 100,
      eventsPerCommit: 5,
      ratePerSecond: 500,
    });
    expect(result.deliveries).toBe(100);
    // The last commit is due at 95 / 500 s: the producers cannot have finished sooner.
    expect(result.commitSeconds).toBeGreaterThanOrEqual(0.18);
  });
});
