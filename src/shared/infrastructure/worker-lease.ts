import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import { type Id, type IdGenerator, MAX_WORKER_ID, SnowflakeIdGenerator } from '../domain/id.ts';

export interface WorkerLeaseOptions {
  readonly ttlMs?: number;
  readonly onLost?: (workerId: number) => void;
}

/**
 * Leases a Snowflake worker id from `shared.worker_leases` and keeps the lease alive with a
 * heartbeat, so that several processes on one database never make ids with the same worker id.
 * A lease that expires (the process stalled past its TTL) is taken over by the next claimant;
 * when the heartbeat finds its lease gone it claims a new id before making any more ids.
 */
export class LeasedIdGenerator implements IdGenerator {
  readonly #db: Kysely<unknown>;
  readonly #clock: Clock;
  readonly #holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  readonly #ttlMs: number;
  readonly #onLost: ((workerId: number) => void) | undefined;
  #generator!: SnowflakeIdGenerator;
  #timer: NodeJS.Timeout | undefined;

  private constructor(db: Kysely<unknown>, clock: Clock, options: WorkerLeaseOptions) {
    this.#db = db;
    this.#clock = clock;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#onLost = options.onLost;
  }

  static async start(
    db: Kysely<unknown>,
    clock: Clock,
    options: WorkerLeaseOptions = {},
  ): Promise<LeasedIdGenerator> {
    const generator = new LeasedIdGenerator(db, clock, options);
    generator.#generator = new SnowflakeIdGenerator(await generator.#claim(), clock);
    generator.#timer = setInterval(() => void generator.#heartbeat(), Math.max(1000, generator.#ttlMs / 3));
    generator.#timer.unref();
    return generator;
  }

  get workerId(): number {
    return this.#generator.workerId;
  }

  next(): Id {
    return this.#generator.next();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await sql`delete from shared.worker_leases where worker_id = ${this.workerId} and holder = ${this.#holder}`.execute(
      this.#db,
    );
  }

  async #claim(): Promise<number> {
    const ttl = `${this.#ttlMs} milliseconds`;
    // Two claimants may pick the same free id; the loser's upsert matches no expired row and
    // returns nothing, so it tries again with the next free one.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const { rows } = await sql<{ worker_id: number }>`
        insert into shared.worker_leases as l (worker_id, holder, expires_at)
        select g, ${this.#holder}, now() + ${ttl}::interval
          from generate_series(0, ${MAX_WORKER_ID}) as g
         where not exists (select 1 from shared.worker_leases x where x.worker_id = g and x.expires_at > now())
         order by g
         limit 1
        on conflict (worker_id) do update
           set holder = excluded.holder, expires_at = excluded.expires_at
         where l.expires_at <= now()
        returning worker_id`.execute(this.#db);
      const claimed = rows[0]?.worker_id;
      if (claimed !== undefined) return claimed;
    }
    throw new Error(`No free worker id: all ${MAX_WORKER_ID + 1} are leased`);
  }

  async #heartbeat(): Promise<void> {
    try {
      const ttl = `${this.#ttlMs} milliseconds`;
      const result = await sql`
        update shared.worker_leases set expires_at = now() + ${ttl}::interval
         where worker_id = ${this.workerId} and holder = ${this.#holder}`.execute(this.#db);
      if (result.numAffectedRows === 0n) {
        const lost = this.workerId;
        this.#generator = new SnowflakeIdGenerator(await this.#claim(), this.#clock);
        this.#onLost?.(lost);
      }
    } catch {
      // The database is unreachable: the lease runs on until its TTL; the next beat tries again.
    }
  }
}
