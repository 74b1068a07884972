import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';

const CHANNEL = 'shared_outbox';

/** Wakes every listening relay at once (after `outbox retry`); on PGlite nobody else listens. */
export async function notifyRelays(db: Kysely<unknown>): Promise<void> {
  await sql`select pg_notify(${CHANNEL}, '')`.execute(db);
}
/** At most one NOTIFY per this many ms from one process: commits in between share it. */
const THROTTLE_MS = 5;
const RECONNECT_MS = 1_000;

/**
 * Wakes the relays of other instances on PostgreSQL. After a commit that made deliveries, `notify`
 * sends a NOTIFY (throttled; outside the command's transaction, so it adds nothing to the
 * request's path and takes no lock at its commit); `listen` keeps one dedicated connection in
 * LISTEN and calls back for other processes' notifications. Both are only an early wake-up: a lost
 * notification (a crash right after commit, a dropped connection) costs one poll interval, never an event.
 */
export class PgOutboxSignal {
  readonly #pool: pg.Pool;
  readonly #log: FastifyBaseLogger;
  /** Our own NOTIFYs carry this, so that we do not wake ourselves twice. */
  readonly #id = randomBytes(6).toString('hex');
  #client: pg.Client | undefined;
  #closed = false;
  #notifyTimer: NodeJS.Timeout | undefined;
  #lastNotifyAt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;

  constructor(pool: pg.Pool, logger: FastifyBaseLogger) {
    this.#pool = pool;
    this.#log = logger;
  }

  notify(): void {
    if (this.#closed || this.#notifyTimer !== undefined) return;
    const wait = Math.max(0, this.#lastNotifyAt + THROTTLE_MS - Date.now());
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = undefined;
      this.#lastNotifyAt = Date.now();
      this.#pool
        .query('select pg_notify($1, $2)', [CHANNEL, this.#id])
        .catch((error: unknown) => this.#log.debug({ err: error }, 'outbox NOTIFY failed; relays will poll'));
    }, wait);
  }

  /**
   * Calls `onSignal` whenever another process committed deliveries. Never throws: when the
   * connection cannot be made or drops, it logs and tries again (relays poll meanwhile).
   */
  async listen(onSignal: () => void): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client(this.#pool.options);
    const lost = (error?: unknown) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#log.warn({ err: error }, 'outbox LISTEN connection lost; reconnecting (relays poll meanwhile)');
      this.#reconnectTimer = setTimeout(() => void this.listen(onSignal), RECONNECT_MS);
    };
    client.on('notification', (message) => {
      if (message.payload !== this.#id) onSignal();
    });
    client.on('error', lost);
    client.on('end', () => lost());
    this.#client = client;
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (error) {
      lost(error);
      return;
    }
    // Commits made while we were not listening (start-up, a reconnect) sent nothing we heard.
    onSignal();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#notifyTimer);
    clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
