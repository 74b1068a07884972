import type { Kysely } from 'kysely';
import type { HousekeepingTask } from './housekeeping.ts';
import { OutboxOperations } from './outbox-operations.ts';

const HOUR_MS = 3_600_000;

/**
 * Deletes delivered deliveries, and events left without any, once they are older than the
 * retention (OUTBOX_RETENTION_HOURS). Pending and dead ones stay. Run by the Housekeeping schedule.
 */
export class OutboxRetention implements HousekeepingTask {
  readonly name = 'outbox';
  readonly #retentionMs: number;

  constructor(retentionHours: number) {
    this.#retentionMs = retentionHours * HOUR_MS;
  }

  run(db: Kysely<unknown>): Promise<{ readonly deliveries: number; readonly events: number }> {
    return OutboxOperations.purgeDelivered(db, new Date(Date.now() - this.#retentionMs));
  }
}
