import { type Kysely, sql } from 'kysely';
import type { RateLimitRule, RateLimitStore, RateLimitWindow } from '../application/rate-limiter.ts';
import type { Clock } from '../domain/clock.ts';
import type { HousekeepingTask } from './housekeeping.ts';
import { rateLimitKey } from './rate-limit-key.ts';

/**
 * Rate-limit counters in `shared.rate_limits`, shared by every instance on the database
 * (RATE_LIMIT_STORE=database). A hit is one upsert: the row lock it takes makes concurrent hits
 * on one key count one after the other, on any number of connections. A key's ended window is
 * reused by its next hit; the keys that are not hit again are deleted by the hourly housekeeping
 * (`RateLimitSweep`), off the requests' path.
 *
 * It runs on the root database handle, never inside a command's transaction: on PGlite a query
 * on the root handle while a transaction is open would wait forever.
 */
export class DatabaseRateLimitStore implements RateLimitStore {
  readonly #db: Kysely<unknown>;

  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }

  async hit(rule: RateLimitRule, subject: string, now: Date): Promise<RateLimitWindow> {
    const endsAt = new Date(now.getTime() + rule.windowSeconds * 1000);
    const { rows } = await sql<{ hits: number; window_ends_at: Date }>`
      insert into shared.rate_limits as r (key, hits, window_ends_at)
      values (${rateLimitKey(rule, subject)}, 1, ${endsAt})
      on conflict (key) do update set
        hits = case when r.window_ends_at <= ${now} then 1 else least(r.hits + 1, 2147483647) end,
        window_ends_at = case when r.window_ends_at <= ${now} then excluded.window_ends_at else r.window_ends_at end
      returning hits, window_ends_at`.execute(this.#db);
    const row = rows[0]!;
    return { hits: row.hits, endsAt: row.window_ends_at };
  }

  async giveBack(rule: RateLimitRule, subject: string, now: Date): Promise<void> {
    await sql`
      update shared.rate_limits set hits = hits - 1
       where key = ${rateLimitKey(rule, subject)} and window_ends_at > ${now} and hits > 0`.execute(this.#db);
  }
}

/**
 * Housekeeping: deletes the rate-limit windows that ended (RATE_LIMIT_STORE=database). Every
 * instance runs it; concurrent runs only find less to delete.
 */
export class RateLimitSweep implements HousekeepingTask {
  readonly name = 'rate limits';
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async run(db: Kysely<unknown>): Promise<{ readonly windows: number }> {
    const result =
      await sql`delete from shared.rate_limits where window_ends_at <= ${this.#clock.now()}`.execute(db);
    return { windows: Number(result.numAffectedRows ?? 0) };
  }
}
