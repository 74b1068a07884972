import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { OutboxOperations } from './outbox-operations.ts';

const HOUR_MS = 3_600_000;

/**
 * Deletes delivered deliveries, and events left without any, once they are older than the
 * retention (OUTBOX_RETENTION_HOURS): hourly, and once shortly after start. Every instance that
 * runs a relay runs it; concurrent purges only find less to delete.
 */
export class OutboxRetention {
  readonly #db: Kysely<unknown>;
  readonly #retentionMs: number;
  readonly #log: FastifyBaseLogger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(db: Kysely<unknown>, retentionHours: number, logger: FastifyBaseLogger) {
    this.#db = db;
    this.#retentionMs = retentionHours * HOUR_MS;
    this.#log = logger;
  }

  start(firstRunInMs = 60_000): void {
    const run = () => {
      this.#running = this.purgeNow().catch((error: unknown) =>
        this.#log.warn({ err: error }, 'outbox retention purge failed; next try in an hour'),
      );
    };
    this.#timer = setTimeout(() => {
      run();
      this.#timer = setInterval(run, HOUR_MS);
      this.#timer.unref();
    }, firstRunInMs);
    this.#timer.unref();
  }

  async purgeNow(): Promise<{ readonly deliveries: number; readonly events: number }> {
    const purged = await OutboxOperations.purgeDelivered(this.#db, new Date(Date.now() - this.#retentionMs));
    if (purged.deliveries + purged.events > 0)
      this.#log.info(purged, 'outbox retention purged delivered rows');
    return purged;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    await this.#running;
  }
}
