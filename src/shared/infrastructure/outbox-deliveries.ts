import { type Kysely, sql, type Transaction } from 'kysely';
import type { DomainEvent, Json } from '../domain/domain-event.ts';
import { Id } from '../domain/id.ts';
import { prepared, preparedIfRoom } from './prepared-statements.ts';

/** A delivery a relay claimed: the event, who it is for, and how many times it was claimed so far. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriber: string;
  /** Claims so far, this one included; a claim counts as an attempt (see `claim`). */
  readonly attempts: number;
  readonly event: DomainEvent;
  /** When the event's transaction stored it (the database's clock). */
  readonly recordedAt: Date;
  /** Set when the claim itself gave up on the delivery (see `claim`): it is now a dead letter. */
  readonly deadLettered: boolean;
  readonly lastError: string | null;
}

export interface ClaimOptions {
  /** Who claims: stored in `claimed_by`, and required to finish the delivery. */
  readonly relay: string;
  /** Only deliveries of these (event, subscriber) pairs: the ones this process knows how to run. */
  readonly routes: readonly { readonly event: string; readonly subscriber: string }[];
  readonly limit: number;
  /** How long the claim holds; after that another relay may take the delivery over. */
  readonly leaseMs: number;
  readonly maxAttempts: number;
}

export type FailureOutcome = 'retrying' | 'dead' | 'lost';

interface ClaimedRow {
  id: string;
  subscriber: string;
  attempts: number;
  status: 'pending' | 'dead';
  last_error: string | null;
  event_id: string;
  name: string;
  aggregate_type: string;
  aggregate_id: string;
  occurred_at: Date;
  payload: Json | string;
  recorded_at: Date;
}

const MAX_ERROR_LENGTH = 4000;

/**
 * The SQL of the relay, on `shared.outbox_deliveries`. Every statement but the one inside the
 * subscriber's transaction is a short statement of its own: no transaction is held open while a
 * subscriber runs in another one (PGlite runs one transaction at a time and would wait forever).
 */
export class OutboxDeliveries {
  readonly #db: Kysely<unknown>;

  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }

  /**
   * Claims up to `limit` due deliveries, oldest first, and only the first pending delivery of each
   * (subscriber, aggregate): while an earlier one waits (pending, retrying or claimed), later ones
   * of that aggregate wait too. `FOR UPDATE SKIP LOCKED` lets any number of relays claim at once,
   * each getting different rows. A claim is a lease: if its relay dies, the delivery is claimed
   * again once `claimed_until` passes.
   *
   * A claim counts as an attempt, so an event whose subscriber crashes the process is not retried
   * forever: when a claim finds the attempts used up (each earlier claim ended in a crash), it
   * dead-letters the delivery instead (`deadLettered`).
   */
  async claim(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    if (options.routes.length === 0 || options.limit < 1) return [];
    if (!Number.isSafeInteger(options.limit))
      throw new RangeError(`claim limit ${options.limit} is not an integer`);
    // The limit is a literal, the routes are parameters: see the note at the end.
    const routes = sql.join(options.routes.map((r) => sql`(${r.subscriber}, ${r.event})`));
    const exhausted = sql`d.attempts >= ${options.maxAttempts}::integer`;
    const claim = sql<ClaimedRow>`
      with due as (
        select d.id from shared.outbox_deliveries d
         where d.status = 'pending'
           and d.available_at <= now()
           and (d.claimed_until is null or d.claimed_until <= now())
           and (d.subscriber, d.event_name) in (${routes})
           and not exists (
                 select 1 from shared.outbox_deliveries earlier
                  where earlier.subscriber = d.subscriber
                    and earlier.aggregate_id = d.aggregate_id
                    and earlier.status = 'pending'
                    and earlier.id < d.id)
         order by d.id
         limit ${sql.lit(options.limit)}
         for update of d skip locked
      )
      update shared.outbox_deliveries d
         set attempts = case when ${exhausted} then d.attempts else d.attempts + 1 end,
             status = case when ${exhausted} then 'dead' else 'pending' end,
             finished_at = case when ${exhausted} then now() end,
             claimed_by = case when ${exhausted} then null else ${options.relay} end,
             claimed_until = case when ${exhausted} then null
                                  else now() + ${options.leaseMs}::integer * interval '1 millisecond' end,
             last_error = case when d.claimed_by is null then d.last_error
                               else 'relay ' || d.claimed_by || ' stopped before it finished this delivery' end
        from due, shared.outbox o
       where d.id = due.id and o.id = d.event_id
      returning d.id, d.subscriber, d.attempts, d.status, d.last_error,
                o.id as event_id, o.name, o.aggregate_type, o.aggregate_id, o.occurred_at, o.payload, o.recorded_at`;
    // Prepared: its text is fixed for a process, and planning it costs more server time than
    // running it. For PostgreSQL to keep its generic plan (planned once per connection), that plan
    // must not look dearer than a custom one. With the limit a parameter it did: the planner
    // prices `limit $n` at a tenth of the rows, so once the statistics counted a backlog, every
    // call was planned again (0.4-0.7 ms each). So the limit is written in. The routes stay
    // parameters, for the plan's sake: knowing the subscriber, the planner trusted its statistics
    // for it, and when a backlog outgrew them (they lag behind a burst) it read every pending
    // delivery of the subscriber and sorted them, for each claim of 50; without it, it walks the
    // pending ones in id order and stops at the limit. The generic plan keeps the literal
    // 'pending', so the partial indexes.
    const { rows } = await this.#db.executeQuery(prepared(claim.compile(this.#db)));
    return rows
      .map(
        (row): ClaimedDelivery => ({
          id: row.id,
          subscriber: row.subscriber,
          attempts: row.attempts,
          deadLettered: row.status === 'dead',
          lastError: row.last_error,
          recordedAt: row.recorded_at,
          event: {
            id: Id.of(row.event_id),
            name: row.name,
            aggregate_type: row.aggregate_type,
            aggregate_id: Id.of(row.aggregate_id),
            occurred_at: row.occurred_at,
            payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as {
              readonly [key: string]: Json;
            },
          },
        }),
      )
      .sort((a, b) => compareIds(a.id, b.id));
  }

  /**
   * Runs `work` (the subscriber) in a transaction that first marks the delivery delivered, so the
   * effect and the "processed" mark commit together. The mark only applies while the delivery is
   * still pending and claimed by `relay`; otherwise another relay has it, or already delivered it,
   * and `work` does not run ('skipped'). On PostgreSQL the mark also locks the row, so a second
   * relay holding a stale claim waits for this transaction and then finds the delivery done.
   */
  async deliver(
    claimed: ClaimedDelivery,
    relay: string,
    work: (tx: Transaction<unknown>) => Promise<void>,
  ): Promise<'delivered' | 'skipped'> {
    const [outcome] = await this.deliverGroup([claimed], relay, (tx) => work(tx));
    return outcome!;
  }

  /**
   * Refreshes the planner's statistics of the deliveries table. A backlog that builds up within
   * seconds (a burst of commits, relays stopped for a while) outruns autovacuum's analyze, and
   * with statistics saying the table is small, the claim is planned as a scan and sort of every
   * pending row instead of a walk along the pending index: each claim then costs more the longer
   * the backlog, and the relays fall further behind. The relay calls this when a claim is slow.
   */
  async refreshStatistics(): Promise<void> {
    await sql`analyze shared.outbox_deliveries`.execute(this.#db);
  }

  /**
   * `deliver` for several deliveries at once (`deliver` is a group of one): one transaction marks
   * them all and runs `work` for each marked one, in order, so their effects and marks commit
   * together. The answer lists each delivery's outcome ('skipped' when the mark found it no longer
   * ours). If `work` throws, the whole transaction rolls back (nothing of the group happened) and
   * the error is thrown.
   *
   * A group's effects wait at most `GROUP_LOCK_TIMEOUT` for a lock. Its deliveries lock what their
   * effects touch (an author, a project) in the order of the events, so two relays' groups can
   * each hold what the other wants next; and a command queued behind one of them on the same row
   * becomes part of that cycle, and may be the transaction PostgreSQL aborts to break it (after
   * its 1 s `deadlock_timeout`). Giving up first, the group rolls back and its deliveries run
   * alone, one lock each, which cannot form a cycle.
   */
  async deliverGroup(
    group: readonly ClaimedDelivery[],
    relay: string,
    work: (tx: Transaction<unknown>, delivery: ClaimedDelivery) => Promise<void>,
  ): Promise<('delivered' | 'skipped')[]> {
    return this.#db.transaction().execute(async (tx) => {
      const mark = sql<{ id: string }>`
        update shared.outbox_deliveries
           set status = 'delivered', finished_at = now(), claimed_by = null, claimed_until = null
         where id in (${sql.join(group.map((delivery) => delivery.id))})
           and status = 'pending' and claimed_by = ${relay}
        returning id`;
      // One text per group size (at most MAX_GROUP of them).
      const { rows } = await tx.executeQuery(preparedIfRoom(mark.compile(tx)));
      const marked = new Set(rows.map((row) => row.id));
      // After the mark (which may wait its turn behind another relay's bookkeeping), before the effects.
      if (marked.size > 1) await sql`set local lock_timeout = ${sql.lit(GROUP_LOCK_TIMEOUT)}`.execute(tx);
      const outcomes: ('delivered' | 'skipped')[] = [];
      for (const delivery of group) {
        if (!marked.has(delivery.id)) {
          outcomes.push('skipped');
          continue;
        }
        await work(tx, delivery);
        outcomes.push('delivered');
      }
      return outcomes;
    });
  }

  /**
   * Records a failed attempt: back to pending, due again after `retryInMs`, or a dead letter when
   * `dead`. 'lost' when the claim was no longer ours (it expired and another relay took it).
   */
  async fail(
    claimed: ClaimedDelivery,
    relay: string,
    failure: { readonly error: string; readonly retryInMs: number; readonly dead: boolean },
  ): Promise<FailureOutcome> {
    const { rows } = await sql<{ status: string }>`
      update shared.outbox_deliveries
         set status = ${failure.dead ? 'dead' : 'pending'},
             finished_at = ${failure.dead ? sql`now()` : null},
             available_at = now() + ${Math.max(0, Math.round(failure.retryInMs))}::integer * interval '1 millisecond',
             last_error = ${failure.error.slice(0, MAX_ERROR_LENGTH)},
             claimed_by = null, claimed_until = null
       where id = ${claimed.id} and status = 'pending' and claimed_by = ${relay}
      returning status`.execute(this.#db);
    if (rows.length === 0) return 'lost';
    return failure.dead ? 'dead' : 'retrying';
  }

  /** Gives claimed deliveries that were never started back, without counting the attempt. */
  async release(claimed: readonly ClaimedDelivery[], relay: string): Promise<void> {
    if (claimed.length === 0) return;
    await sql`
      update shared.outbox_deliveries
         set claimed_by = null, claimed_until = null, attempts = attempts - 1
       where id in (${sql.join(claimed.map((c) => c.id))}) and status = 'pending' and claimed_by = ${relay}`.execute(
      this.#db,
    );
  }
}

/** How long a group of deliveries waits for a lock before it gives up and runs its deliveries alone. */
const GROUP_LOCK_TIMEOUT = '100ms';

/** Orders int8 ids given as decimal strings. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
