import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { DomainEvent } from '../domain/domain-event.ts';
import { type ClaimedDelivery, type FailureOutcome, OutboxDeliveries } from './outbox-deliveries.ts';
import { type Backoff, retryDelayMs } from './retry-backoff.ts';

/** Where the relay hands events: the message bus. */
export interface DeliveryTarget {
  /**
   * Every (event, subscriber) pair this process can run; the relay claims deliveries of these only,
   * and leaves the others (a subscriber added or changed by a newer version) to the processes that know them.
   */
  readonly routes: readonly { readonly event: string; readonly subscriber: string }[];
  deliver(subscriber: string, event: DomainEvent, tx: Transaction<unknown>): Promise<void>;
  /** True when the subscription's effects are all in the transaction: such deliveries may share one. */
  onlyDatabaseEffects?(subscriber: string, eventName: string): boolean;
}

/** Told about every outcome, for metrics. */
export interface RelayObserver {
  delivered(subscriber: string, attempts: number, latencyMs: number): void;
  failed(subscriber: string, outcome: 'retrying' | 'dead'): void;
}

export interface RelayOptions {
  readonly db: Kysely<unknown>;
  readonly target: DeliveryTarget;
  readonly logger: FastifyBaseLogger;
  /** Attempts before a delivery becomes a dead letter (OUTBOX_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  /** The polling fallback: how long the relay sleeps when nothing wakes it (OUTBOX_POLL_INTERVAL_MS). */
  readonly pollIntervalMs: number;
  readonly backoff: Backoff;
  /** Deliveries claimed at once. */
  readonly batchSize?: number;
  /** Deliveries of one batch run at once; 1 on PGlite, where transactions take turns anyway. */
  readonly concurrency?: number;
  /** How long a claim holds before another relay may take the delivery over (a crashed relay's). */
  readonly leaseMs?: number;
  /** How long `stop` waits for running subscribers before it gives up on them. */
  readonly stopTimeoutMs?: number;
  readonly observer?: RelayObserver;
  /** Stored in `claimed_by`; unique per relay by default. */
  readonly name?: string;
  /**
   * A claim slower than this refreshes the table's planner statistics (at most once a minute per
   * relay; see OutboxDeliveries.refreshStatistics). Default 50 ms: a healthy claim takes about one.
   */
  readonly slowClaimMs?: number;
}

/** What one batch did. */
export interface RelayRun {
  readonly claimed: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly dead: number;
  /** Claimed, but another relay had it or had already delivered it. */
  readonly skipped: number;
}

type Outcome = 'delivered' | 'skipped' | FailureOutcome;

const NO_RUN: RelayRun = { claimed: 0, delivered: 0, retrying: 0, dead: 0, skipped: 0 };
/** Most deliveries one transaction takes when they may share one. */
const MAX_GROUP = 16;

/**
 * Delivers stored events to their subscribers: claims due deliveries in batches, runs each
 * subscriber in a transaction of its own that also marks the delivery processed, and records
 * failures for a retry with backoff, or as a dead letter once the attempts are used up.
 *
 * `start` runs it in the background: it sleeps until woken (a local commit, a NOTIFY from another
 * instance, a retry falling due) or for the poll interval at most. `runOnce` and `drain` run it in
 * the foreground, which is how tests wait for deliveries without sleeping. A relay runs one batch
 * at a time; several relays, in one process or many, share the work through the database.
 */
export class OutboxRelay {
  readonly name: string;
  readonly #deliveries: OutboxDeliveries;
  readonly #target: DeliveryTarget;
  readonly #log: FastifyBaseLogger;
  readonly #maxAttempts: number;
  readonly #pollIntervalMs: number;
  readonly #backoff: Backoff;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #stopTimeoutMs: number;
  readonly #observer: RelayObserver | undefined;
  readonly #slowClaimMs: number;
  #statisticsRefreshedAt = Number.NEGATIVE_INFINITY;

  #stopping = false;
  #loop: Promise<void> | undefined;
  /** Batches run one after the other: this is the last one queued. */
  #queue: Promise<unknown> = Promise.resolve();
  #woken = false;
  #idle: (() => void) | undefined;
  #nextRetryAt = Number.POSITIVE_INFINITY;

  constructor(options: RelayOptions) {
    this.#deliveries = new OutboxDeliveries(options.db);
    this.#target = options.target;
    this.#log = options.logger;
    this.#maxAttempts = options.maxAttempts;
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#backoff = options.backoff;
    this.#batchSize = options.batchSize ?? 50;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.#observer = options.observer;
    this.#slowClaimMs = options.slowClaimMs ?? 50;
    this.name = options.name ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  /** Runs the relay in the background until `stop`. */
  start(): void {
    if (this.#loop !== undefined || this.#stopping) return;
    this.#loop = this.#runInBackground();
  }

  /** Something was committed (here, or on another instance): look for work now. */
  wake(): void {
    this.#woken = true;
    this.#idle?.();
  }

  /** Claims and runs one batch (after any batch already running). */
  runOnce(): Promise<RelayRun> {
    const run = this.#queue.then(() => this.#runBatch());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Runs batches until none is due: every delivery that can run now has run (retries due later have not). */
  async drain(): Promise<RelayRun> {
    let total = NO_RUN;
    for (;;) {
      const run = await this.runOnce();
      if (run.claimed === 0) return total;
      total = {
        claimed: total.claimed + run.claimed,
        delivered: total.delivered + run.delivered,
        retrying: total.retrying + run.retrying,
        dead: total.dead + run.dead,
        skipped: total.skipped + run.skipped,
      };
    }
  }

  /**
   * Stops taking work, lets running subscribers finish (up to the stop timeout), and gives the
   * deliveries it claimed but did not start back at once. Deliveries abandoned at the timeout
   * roll back with their transaction and are claimed again when their lease ends.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#idle?.();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#stopTimeoutMs);
    });
    const finished = Promise.allSettled([this.#loop, this.#queue]).then(() => 'finished' as const);
    const result = await Promise.race([finished, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.#log.warn(
        { relay: this.name },
        'outbox relay stopped with subscribers still running; their deliveries will be retried',
      );
    }
  }

  async #runInBackground(): Promise<void> {
    while (!this.#stopping) {
      let claimed = 0;
      try {
        claimed = (await this.runOnce()).claimed;
      } catch (error) {
        this.#log.warn(
          { err: error, relay: this.name },
          'outbox relay could not claim deliveries; will retry',
        );
      }
      if (claimed === 0) await this.#waitForWork();
    }
  }

  #waitForWork(): Promise<void> {
    if (this.#woken || this.#stopping) return Promise.resolve();
    const now = Date.now();
    const wait = Math.max(0, Math.min(this.#pollIntervalMs, this.#nextRetryAt - now));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#idle = undefined;
        if (this.#nextRetryAt <= Date.now()) this.#nextRetryAt = Number.POSITIVE_INFINITY;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.#idle = done;
    });
  }

  async #runBatch(): Promise<RelayRun> {
    this.#woken = false;
    if (this.#stopping) return NO_RUN;
    const claimStartedAt = performance.now();
    const claimed = await this.#deliveries.claim({
      relay: this.name,
      routes: this.#target.routes,
      limit: this.#batchSize,
      leaseMs: this.#leaseMs,
      maxAttempts: this.#maxAttempts,
    });
    if (performance.now() - claimStartedAt >= this.#slowClaimMs) this.#refreshStatistics();
    const counts = { claimed: claimed.length, delivered: 0, retrying: 0, dead: 0, skipped: 0 };
    const runnable: ClaimedDelivery[] = [];
    for (const delivery of claimed) {
      if (delivery.deadLettered) {
        counts.dead += 1;
        this.#reportDead(delivery, delivery.lastError ?? 'its attempts were used up');
      } else {
        runnable.push(delivery);
      }
    }

    // Within a batch no two deliveries share a (subscriber, aggregate): the claim only takes the
    // first of each. So they may run side by side without breaking per-aggregate order.
    // Deliveries whose subscribers only touch the database share transactions, a few groups
    // running at once; every other delivery gets a transaction of its own.
    const units: ClaimedDelivery[][] = [];
    const grouped = runnable.filter(
      (delivery) => this.#target.onlyDatabaseEffects?.(delivery.subscriber, delivery.event.name) === true,
    );
    const size = Math.min(MAX_GROUP, Math.ceil(grouped.length / this.#concurrency));
    for (let i = 0; i < grouped.length; i += size) units.push(grouped.slice(i, i + size));
    const inGroups = new Set(grouped);
    for (const delivery of runnable) if (!inGroups.has(delivery)) units.push([delivery]);

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < units.length && !this.#stopping) {
        const unit = units[next]!;
        next += 1;
        const outcomes = unit.length === 1 ? [await this.#process(unit[0]!)] : await this.#processGroup(unit);
        for (const outcome of outcomes) counts[outcome === 'lost' ? 'skipped' : outcome] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, units.length) }, worker));
    if (next < units.length) {
      await this.#deliveries
        .release(units.slice(next).flat(), this.name)
        .catch((error: unknown) =>
          this.#log.warn({ err: error }, 'could not release claimed deliveries; they wait for their lease'),
        );
    }
    return counts;
  }

  /** In the background, at most once a minute: a slow claim usually means stale statistics. */
  #refreshStatistics(): void {
    if (performance.now() - this.#statisticsRefreshedAt < 60_000) return;
    this.#statisticsRefreshedAt = performance.now();
    this.#log.info({ relay: this.name }, 'outbox claim was slow; refreshing the deliveries table statistics');
    this.#deliveries
      .refreshStatistics()
      .catch((error: unknown) => this.#log.warn({ err: error }, 'could not analyze the deliveries table'));
  }

  /**
   * Delivers a group in one transaction. When any of it fails, all of it rolls back, and each
   * delivery is then run on its own: the failure is recorded against the one that failed, and
   * the others go through (their effects were rolled back, so they happen once).
   */
  async #processGroup(group: readonly ClaimedDelivery[]): Promise<Outcome[]> {
    let outcomes: ('delivered' | 'skipped')[];
    try {
      outcomes = await this.#deliveries.deliverGroup(group, this.name, (tx, delivery) =>
        this.#target.deliver(delivery.subscriber, delivery.event, tx),
      );
    } catch {
      const oneByOne: Outcome[] = [];
      for (const delivery of group) oneByOne.push(await this.#process(delivery));
      return oneByOne;
    }
    outcomes.forEach((outcome, i) => {
      if (outcome === 'delivered') this.#reportDelivered(group[i]!);
    });
    return outcomes;
  }

  #reportDelivered(delivery: ClaimedDelivery): void {
    this.#observer?.delivered(
      delivery.subscriber,
      delivery.attempts,
      Math.max(0, Date.now() - delivery.recordedAt.getTime()),
    );
  }

  async #process(delivery: ClaimedDelivery): Promise<Outcome> {
    try {
      const outcome = await this.#deliveries.deliver(delivery, this.name, (tx) =>
        this.#target.deliver(delivery.subscriber, delivery.event, tx),
      );
      if (outcome === 'delivered') this.#reportDelivered(delivery);
      return outcome;
    } catch (error) {
      return this.#failed(delivery, error);
    }
  }

  async #failed(delivery: ClaimedDelivery, error: unknown): Promise<Outcome> {
    const dead = delivery.attempts >= this.#maxAttempts;
    const retryInMs = dead ? 0 : retryDelayMs(delivery.attempts, this.#backoff);
    const message = describe(error);
    let outcome: FailureOutcome;
    try {
      outcome = await this.#deliveries.fail(delivery, this.name, { error: message, retryInMs, dead });
    } catch (recordError) {
      this.#log.error(
        { err: recordError, delivery: delivery.id },
        'could not record a failed delivery; it will be retried when its claim lapses',
      );
      return 'lost';
    }
    if (outcome === 'dead') {
      this.#reportDead(delivery, message);
    } else if (outcome === 'retrying') {
      this.#observer?.failed(delivery.subscriber, 'retrying');
      this.#log.warn(
        { ...describeDelivery(delivery), attempts: delivery.attempts, retryInMs, err: error },
        'outbox delivery failed; it will be retried',
      );
      this.#nextRetryAt = Math.min(this.#nextRetryAt, Date.now() + retryInMs);
    }
    return outcome;
  }

  #reportDead(delivery: ClaimedDelivery, error: string): void {
    this.#observer?.failed(delivery.subscriber, 'dead');
    this.#log.error(
      { ...describeDelivery(delivery), attempts: delivery.attempts, error },
      'outbox delivery is a dead letter; `npm run cli -- outbox retry <delivery>` redelivers it',
    );
  }
}

function describeDelivery(delivery: ClaimedDelivery) {
  return {
    delivery: delivery.id,
    subscriber: delivery.subscriber,
    event: delivery.event.name,
    eventId: delivery.event.id.toString(),
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
