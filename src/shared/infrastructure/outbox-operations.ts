import { type Kysely, sql } from 'kysely';
import { notifyRelays } from './outbox-signal.ts';

/** Deliveries of one subscriber that are not delivered yet. */
export interface SubscriberBacklog {
  readonly subscriber: string;
  /** Waiting for a relay (due now, behind an earlier one of their aggregate, or in a retry's backoff). */
  readonly pending: number;
  /** Of those, the ones that failed before. */
  readonly retrying: number;
  /** Claimed by a relay right now. */
  readonly inFlight: number;
  readonly dead: number;
  /** Age of the oldest undelivered event (pending or in flight), in seconds; null when none. */
  readonly oldestPendingSeconds: number | null;
}

export interface DeadLetter {
  readonly id: string;
  readonly subscriber: string;
  readonly event: string;
  readonly eventId: string;
  readonly aggregateId: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly deadSince: Date | null;
}

export type RetryResult =
  | { readonly kind: 'requeued'; readonly ids: readonly string[] }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'not_dead'; readonly status: string };

/**
 * What operators do with the outbox (the CLI's `outbox` commands, the metrics, the retention
 * schedule). Each is one short statement or a loop of them; none needs a relay to be running.
 */
export const OutboxOperations = {
  async backlog(db: Kysely<unknown>): Promise<SubscriberBacklog[]> {
    const { rows } = await sql<{
      subscriber: string;
      pending: string;
      retrying: string;
      in_flight: string;
      dead: string;
      oldest_seconds: string | number | null;
    }>`
      select d.subscriber,
             count(*) filter (where d.status = 'pending' and not ${inFlight}) as pending,
             count(*) filter (where d.status = 'pending' and not ${inFlight} and d.attempts > 0) as retrying,
             count(*) filter (where d.status = 'pending' and ${inFlight}) as in_flight,
             count(*) filter (where d.status = 'dead') as dead,
             extract(epoch from now() - min(o.recorded_at) filter (where d.status = 'pending')) as oldest_seconds
        from shared.outbox_deliveries d
        join shared.outbox o on o.id = d.event_id
       where d.status <> 'delivered'
       group by d.subscriber
       order by d.subscriber`.execute(db);
    return rows.map((row) => ({
      subscriber: row.subscriber,
      pending: Number(row.pending),
      retrying: Number(row.retrying),
      inFlight: Number(row.in_flight),
      dead: Number(row.dead),
      oldestPendingSeconds: row.oldest_seconds === null ? null : Number(row.oldest_seconds),
    }));
  },

  /** The most recent dead letters first. */
  async deadLetters(db: Kysely<unknown>, limit: number): Promise<DeadLetter[]> {
    const { rows } = await sql<{
      id: string;
      subscriber: string;
      name: string;
      event_id: string;
      aggregate_id: string;
      attempts: number;
      last_error: string | null;
      finished_at: Date | null;
    }>`
      select d.id, d.subscriber, o.name, o.id as event_id, o.aggregate_id, d.attempts, d.last_error, d.finished_at
        from shared.outbox_deliveries d
        join shared.outbox o on o.id = d.event_id
       where d.status = 'dead'
       order by d.id desc
       limit ${limit}`.execute(db);
    return rows.map((row) => ({
      id: row.id,
      subscriber: row.subscriber,
      event: row.name,
      eventId: row.event_id,
      aggregateId: row.aggregate_id,
      attempts: row.attempts,
      lastError: row.last_error,
      deadSince: row.finished_at,
    }));
  },

  /**
   * Puts dead letters back in the queue with their attempts counted from zero again (the fault
   * is supposed to be fixed). Only dead letters: a pending delivery is already queued, and a
   * delivered one must not run twice.
   */
  async retry(db: Kysely<unknown>, which: { readonly id: string } | 'all-dead'): Promise<RetryResult> {
    const { rows } = await sql<{ id: string }>`
      update shared.outbox_deliveries
         set status = 'pending', attempts = 0, available_at = now(), finished_at = null,
             claimed_by = null, claimed_until = null
       where status = 'dead' ${which === 'all-dead' ? sql`` : sql`and id = ${which.id}`}
      returning id`.execute(db);
    if (which === 'all-dead' || rows.length > 0) {
      if (rows.length > 0) await notifyRelays(db);
      const ids = rows.map((row) => row.id).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
      return { kind: 'requeued', ids };
    }
    const { rows: existing } = await sql<{ status: string }>`
      select status from shared.outbox_deliveries where id = ${which.id}`.execute(db);
    return existing[0] === undefined
      ? { kind: 'not_found' }
      : { kind: 'not_dead', status: existing[0].status };
  },

  /**
   * Deletes deliveries delivered before `before`, then the events recorded before it that have no
   * delivery left (delivered and purged, or never subscribed to). Pending and dead deliveries,
   * and their events, are kept whatever their age. Works in batches so no statement holds many
   * locks for long.
   */
  async purgeDelivered(
    db: Kysely<unknown>,
    before: Date,
    batchSize = 5_000,
  ): Promise<{ readonly deliveries: number; readonly events: number }> {
    let deliveries = 0;
    for (;;) {
      const result = await sql`
        delete from shared.outbox_deliveries
         where id in (select id from shared.outbox_deliveries
                       where status = 'delivered' and finished_at < ${before}
                       limit ${batchSize})`.execute(db);
      const deleted = Number(result.numAffectedRows ?? 0n);
      deliveries += deleted;
      if (deleted < batchSize) break;
    }
    let events = 0;
    for (;;) {
      const result = await sql`
        delete from shared.outbox
         where id in (select o.id from shared.outbox o
                       where o.recorded_at < ${before}
                         and not exists (select 1 from shared.outbox_deliveries d where d.event_id = o.id)
                       limit ${batchSize})`.execute(db);
      const deleted = Number(result.numAffectedRows ?? 0n);
      events += deleted;
      if (deleted < batchSize) break;
    }
    return { deliveries, events };
  },
};

const inFlight = sql`(d.claimed_until is not null and d.claimed_until > now())`;
