import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onServer, openTestDatabase } from '../../../test/support/database.ts';
import { RateLimiter, type RateLimitRule, type RateLimitStore } from '../application/rate-limiter.ts';
import { FixedClock } from '../domain/clock.ts';
import { DatabaseRateLimitStore, RateLimitSweep } from './database-rate-limit-store.ts';
import { MemoryRateLimitStore } from './memory-rate-limit-store.ts';

type Db = Awaited<ReturnType<typeof openTestDatabase>>;

let rules = 0;
/** A rule of its own per test, so tests sharing a store never share counters. */
function aRule(limit = 3, windowSeconds = 60): RateLimitRule {
  rules += 1;
  return { name: `test.rule${rules}`, limit, windowSeconds };
}

const stores: Record<string, { make(): Promise<RateLimitStore>; close(): Promise<void> }> = (() => {
  let database: Db | undefined;
  return {
    memory: { make: async () => new MemoryRateLimitStore(), close: async () => undefined },
    [`database on ${onServer ? 'the PostgreSQL server' : 'PGlite'}`]: {
      make: async () => {
        database = await openTestDatabase();
        return new DatabaseRateLimitStore(database.db);
      },
      close: async () => database?.dispose(),
    },
  };
})();

for (const [name, { make, close }] of Object.entries(stores)) {
  describe(`rate limits: ${name} store`, () => {
    let store: RateLimitStore;
    beforeAll(async () => {
      store = await make();
    });
    afterAll(() => close());

    it('allows the limit, refuses the next attempt with the seconds left in the window', async () => {
      const clock = new FixedClock();
      const limiter = new RateLimiter(store, clock);
      const rule = aRule(3, 60);
      for (let i = 0; i < 3; i += 1) {
        expect((await limiter.attempt(rule, 'ada@example.com')).allowed).toBe(true);
        clock.advance(10_000);
      }
      expect(await limiter.attempt(rule, 'ada@example.com')).toEqual({
        allowed: false,
        retryAfterSeconds: 30,
      });
    });

    it('opens a new window once the old one has ended', async () => {
      const clock = new FixedClock();
      const limiter = new RateLimiter(store, clock);
      const rule = aRule(1, 60);
      expect((await limiter.attempt(rule, 's')).allowed).toBe(true);
      expect((await limiter.attempt(rule, 's')).allowed).toBe(false);
      clock.advance(59_999);
      expect(await limiter.attempt(rule, 's')).toEqual({ allowed: false, retryAfterSeconds: 1 });
      clock.advance(1);
      expect((await limiter.attempt(rule, 's')).allowed).toBe(true);
      expect((await limiter.attempt(rule, 's')).allowed).toBe(false);
    });

    it('counts each subject and each rule on its own', async () => {
      const limiter = new RateLimiter(store, new FixedClock());
      const [a, b] = [aRule(1), aRule(1)];
      expect((await limiter.attempt(a, 'x')).allowed).toBe(true);
      expect((await limiter.attempt(a, 'y')).allowed).toBe(true);
      expect((await limiter.attempt(b, 'x')).allowed).toBe(true);
      expect((await limiter.attempt(a, 'x')).allowed).toBe(false);
    });

    it('takes back an attempt that gave it back, but never below zero or into the next window', async () => {
      const clock = new FixedClock();
      const limiter = new RateLimiter(store, clock);
      const rule = aRule(2, 60);
      for (let i = 0; i < 5; i += 1) {
        const attempt = await limiter.attempt(rule, 'ok');
        expect(attempt.allowed).toBe(true);
        if (attempt.allowed) await attempt.giveBack();
      }
      const first = await limiter.attempt(rule, 'ok');
      await limiter.attempt(rule, 'ok');
      expect((await limiter.attempt(rule, 'ok')).allowed).toBe(false);
      clock.advance(60_000);
      if (first.allowed) await first.giveBack();
      await store.giveBack(rule, 'never-seen', clock.now());
      expect((await limiter.attempt(rule, 'ok')).allowed).toBe(true);
      expect((await limiter.attempt(rule, 'ok')).allowed).toBe(true);
      expect((await limiter.attempt(rule, 'ok')).allowed).toBe(false);
    });

    it('keeps counting, without error, far past the limit', async () => {
      const limiter = new RateLimiter(store, new FixedClock());
      const rule = aRule(1, 3600);
      for (let i = 0; i < 50; i += 1) await limiter.attempt(rule, 'flood');
      expect((await store.hit(rule, 'flood', new FixedClock().now())).hits).toBe(51);
    });
  });
}

describe('the memory store', () => {
  it('forgets ended windows, so one-off subjects do not pile up', async () => {
    const store = new MemoryRateLimitStore();
    const clock = new FixedClock();
    const rule = aRule(5, 10);
    for (let i = 0; i < 100; i += 1) await store.hit(rule, `10.0.0.${i}`, clock.now());
    expect(store.size).toBe(100);
    clock.advance(61_000);
    await store.hit(rule, 'late', clock.now());
    expect(store.size).toBe(1);
  });
});

describe('the database store', () => {
  let database: Db;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.dispose());

  it('stores hashed subjects only; housekeeping, not a hit, deletes ended windows', async () => {
    const store = new DatabaseRateLimitStore(database.db);
    const clock = new FixedClock('2026-06-01T00:00:00.000Z');
    const rule = aRule(5, 10);
    await store.hit(rule, 'ada@example.com', clock.now());
    const keys = async () =>
      (await sql<{ key: string }>`select key from shared.rate_limits`.execute(database.db)).rows.map(
        (r) => r.key,
      );
    expect(await keys()).toEqual([expect.stringMatching(new RegExp(`^${rule.name}:[A-Za-z0-9_-]{43}$`))]);
    expect((await keys()).join()).not.toContain('ada');
    clock.advance(61_000);
    // A hit does no housekeeping on the request's time: Ada's ended window is still there.
    await store.hit(rule, 'grace@example.com', clock.now());
    expect(await keys()).toHaveLength(2);
    const sweep = new RateLimitSweep(clock);
    expect(await sweep.run(database.db)).toEqual({ windows: 1 });
    expect(await keys()).toHaveLength(1);
    expect(await sweep.run(database.db)).toEqual({ windows: 0 });
  });

  it.runIf(onServer)('counts concurrent hits on many connections exactly once each', async () => {
    const store = new DatabaseRateLimitStore(database.db);
    const limiter = new RateLimiter(store, new FixedClock());
    const rule = aRule(10, 60);
    const results = await Promise.all(Array.from({ length: 40 }, () => limiter.attempt(rule, 'race')));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const { rows } = await sql<{
      hits: number;
    }>`select hits from shared.rate_limits where key like ${`${rule.name}:%`}`.execute(database.db);
    expect(rows[0]?.hits).toBe(40);
  });
});
