import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { pino } from 'pino';
import type { Subscription } from '../application/event-registry.ts';
import { MessageBus } from '../application/message-bus.ts';
import { systemClock } from '../domain/clock.ts';
import type { DomainEvent } from '../domain/domain-event.ts';
import { SnowflakeIdGenerator } from '../domain/id.ts';
import { Outbox } from './outbox.ts';
import { OutboxRelay } from './outbox-relay.ts';

export interface RelayBenchmarkOptions {
  /** A migrated database (a running app's is fine: its relays do not know the benchmark's subscriber). */
  readonly db: Kysely<unknown>;
  /** Events to push through; one delivery each. */
  readonly events: number;
  /** Events per committed transaction (default 1: one command, one event). */
  readonly eventsPerCommit?: number;
  /** Transactions committing at once (default 1; keep 1 on PGlite). */
  readonly producers?: number;
  /**
   * Events per second the producers offer, evenly spaced (default: as fast as they can). Latency
   * means something only below the relays' capacity: offered more than they deliver, the queue,
   * and so every event's wait in it, grows for as long as the run lasts.
   */
  readonly ratePerSecond?: number;
  /** Relays in this process sharing the work (default 1). */
  readonly relays?: number;
  readonly batchSize?: number;
  /** Deliveries of a batch run at once (default 4; use 1 on PGlite). */
  readonly concurrency?: number;
  /** Distinct aggregates the events belong to (default: one per event, so order never holds anything back). */
  readonly aggregates?: number;
  /**
   * Commit every event before the relays start (default false): measures the relays alone, with
   * no producer competing for the CPU and the database. Latency then includes the wait in the queue.
   */
  readonly preload?: boolean;
  /** Delete the benchmark's events and deliveries afterwards (default true). */
  readonly cleanUp?: boolean;
  readonly logger?: FastifyBaseLogger;
}

export interface RelayBenchmarkResult {
  readonly events: number;
  readonly deliveries: number;
  /** From the first commit (with `preload`: from the relays' start) to the last delivery's commit. */
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
  /** Time spent committing the events (the producers' side). */
  readonly commitSeconds: number;
  /** From an event's commit to its subscriber being called, in ms. */
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
}

const EVENT = 'bench.relay_pinged';
const SUBSCRIBER = 'bench.no_op';

/**
 * Pushes `events` through the outbox and relay to a subscriber that does nothing, and measures
 * deliveries per second and commit → subscriber latency. The relays run as the app runs them: in
 * the background, woken by each commit, polling once a second as a fallback.
 *
 *   const result = await benchmarkRelay({ db: app.database.db, events: 10_000, relays: 2 });
 */
export async function benchmarkRelay(options: RelayBenchmarkOptions): Promise<RelayBenchmarkResult> {
  const total = options.events;
  const perCommit = Math.max(1, options.eventsPerCommit ?? 1);
  const logger = options.logger ?? pino({ level: 'warn' });
  const committedAt = new Map<bigint, number>();
  const calledAt = new Map<bigint, number>();
  let delivered = 0;
  let lastDeliveredAt = 0;
  let allDelivered!: () => void;
  const done = new Promise<void>((resolve) => {
    allDelivered = resolve;
  });

  const bus = new MessageBus();
  // The benchmark's event is published by no context, so it is not in the EventRegistry: cast on purpose.
  bus.subscribe([
    {
      event: EVENT,
      subscriber: SUBSCRIBER,
      onlyDatabaseEffects: true,
      handle: async (event: DomainEvent) => {
        calledAt.set(event.id, performance.now());
      },
    } as unknown as Subscription<Transaction<unknown>>,
  ]);
  const outbox = new Outbox(bus);
  const relays = Array.from(
    { length: Math.max(1, options.relays ?? 1) },
    () =>
      new OutboxRelay({
        db: options.db,
        target: bus,
        logger,
        maxAttempts: 10,
        pollIntervalMs: 1_000,
        backoff: { baseMs: 100, maxMs: 10_000 },
        batchSize: options.batchSize ?? 50,
        concurrency: options.concurrency ?? 4,
        observer: {
          delivered: () => {
            delivered += 1;
            lastDeliveredAt = performance.now();
            if (delivered === total) allDelivered();
          },
          failed: () => undefined,
        },
      }),
  );
  outbox.onCommitted(() => {
    for (const relay of relays) relay.wake();
  });

  const ids = new SnowflakeIdGenerator(1023, systemClock);
  const aggregates = Array.from({ length: Math.max(1, Math.min(options.aggregates ?? total, total)) }, () =>
    ids.next(),
  );
  const events: DomainEvent[] = Array.from({ length: total }, (_, i) => ({
    id: ids.next(),
    name: EVENT,
    aggregate_type: 'benchmark',
    aggregate_id: aggregates[i % aggregates.length]!,
    occurred_at: new Date(),
    payload: { i },
  }));
  const chunks: DomainEvent[][] = [];
  for (let i = 0; i < events.length; i += perCommit) chunks.push(events.slice(i, i + perCommit));

  const startRelays = () => {
    for (const relay of relays) relay.start();
  };
  if (!options.preload) startRelays();
  let startedAt = performance.now();
  try {
    let next = 0;
    const producer = async (): Promise<void> => {
      while (next < chunks.length) {
        const index = next;
        const chunk = chunks[index]!;
        next += 1;
        if (options.ratePerSecond !== undefined) {
          const dueAt = startedAt + ((index * perCommit) / options.ratePerSecond) * 1000;
          const wait = dueAt - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        await options.db.transaction().execute((tx) => outbox.append(tx, chunk));
        const now = performance.now();
        for (const event of chunk) committedAt.set(event.id, now);
        outbox.committed(chunk);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.producers ?? 1) }, producer));
    const commitSeconds = (performance.now() - startedAt) / 1000;
    if (options.preload) {
      startedAt = performance.now();
      startRelays();
    }
    if (total > 0) await done;

    const latencies = events
      .map((event) => (calledAt.get(event.id) ?? Number.NaN) - (committedAt.get(event.id) ?? Number.NaN))
      // A relay may run a subscriber before the producer's `await` resumes: count that as no wait.
      .map((ms) => Math.max(0, ms))
      .sort((a, b) => a - b);
    const at = (q: number) =>
      round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    const seconds = total > 0 ? (lastDeliveredAt - startedAt) / 1000 : 0;
    return {
      events: total,
      deliveries: delivered,
      seconds: round(seconds),
      deliveriesPerSecond: seconds > 0 ? Math.round(delivered / seconds) : 0,
      commitSeconds: round(commitSeconds),
      latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(latencies.at(-1) ?? 0) },
    };
  } finally {
    await Promise.all(relays.map((relay) => relay.stop()));
    if (options.cleanUp ?? true) {
      await (options.db as Kysely<{ 'shared.outbox': { name: string } }>)
        .deleteFrom('shared.outbox')
        .where('name', '=', EVENT)
        .execute();
    }
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
