import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { OutboxOperations, type SubscriberBacklog } from './outbox-operations.ts';
import type { RelayObserver } from './outbox-relay.ts';

/**
 * The outbox in Prometheus terms. Gauges (pending, in flight, dead letters, oldest pending age)
 * are read from the database at scrape time, so every instance reports the whole outbox, whichever
 * relay did the work. Counters and the latency histogram count what this process's relay did.
 */
export class OutboxMetrics implements RelayObserver {
  readonly #attempts: Counter<'subscriber' | 'outcome'>;
  readonly #deadLettered: Counter<'subscriber'>;
  readonly #latency: Histogram<'subscriber'>;
  /** The backlog query of the scrape in progress: its gauges collect in parallel and share it. */
  #reading: Promise<SubscriberBacklog[]> | undefined;

  constructor(
    registry: Registry,
    source: { readonly db: Kysely<unknown>; readonly subscribers: () => readonly string[] },
  ) {
    const registers = [registry];
    const backlog = (): Promise<SubscriberBacklog[]> => {
      this.#reading ??= OutboxOperations.backlog(source.db).finally(() => {
        this.#reading = undefined;
      });
      return this.#reading;
    };
    const gauge = (name: string, help: string, value: (row: SubscriberBacklog) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['subscriber'],
        registers,
        async collect() {
          let rows: SubscriberBacklog[];
          try {
            rows = await backlog();
          } catch {
            return; // the database is unreachable: keep the last values rather than fail the scrape
          }
          this.reset();
          // Every known subscriber gets a series, 0 when nothing waits for it.
          for (const subscriber of source.subscribers()) this.set({ subscriber }, 0);
          for (const row of rows) this.set({ subscriber: row.subscriber }, value(row) ?? 0);
        },
      });
    gauge('outbox_pending_deliveries', 'Deliveries waiting for a relay, retries included', (r) => r.pending);
    gauge('outbox_in_flight_deliveries', 'Deliveries claimed by a relay right now', (r) => r.inFlight);
    gauge(
      'outbox_dead_letters',
      'Deliveries that used up their attempts and wait for an operator',
      (r) => r.dead,
    );
    gauge(
      'outbox_oldest_pending_age_seconds',
      'Age of the oldest event not yet delivered to the subscriber',
      (r) => r.oldestPendingSeconds,
    );
    this.#attempts = new Counter({
      name: 'outbox_delivery_attempts_total',
      help: 'Delivery attempts by this process, by outcome (delivered, retrying, dead)',
      labelNames: ['subscriber', 'outcome'],
      registers,
    });
    this.#deadLettered = new Counter({
      name: 'outbox_dead_lettered_total',
      help: 'Deliveries this process turned into dead letters',
      labelNames: ['subscriber'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'outbox_delivery_latency_seconds',
      help: "From the event's transaction to its delivery's commit",
      labelNames: ['subscriber'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
  }

  delivered(subscriber: string, _attempts: number, latencyMs: number): void {
    this.#attempts.inc({ subscriber, outcome: 'delivered' });
    this.#latency.observe({ subscriber }, latencyMs / 1000);
  }

  failed(subscriber: string, outcome: 'retrying' | 'dead'): void {
    this.#attempts.inc({ subscriber, outcome });
    if (outcome === 'dead') this.#deadLettered.inc({ subscriber });
  }
}
