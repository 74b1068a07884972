import { Counter, type Registry } from 'prom-client';
import type { RerunReason, UnitOfWorkObserver } from './unit-of-work.ts';

/**
 * How often commands run their work again, by context and reason: `lost_race` (the optimistic
 * attempt lost a version check or a key to another command), `lock_on_lane` (its statement met a
 * lock on a write lane) and `transient` (PostgreSQL aborted it to break a deadlock or a
 * serialization conflict). A rising `lost_race` rate on one context says its commands meet on the
 * same aggregates; `lock_on_lane` without it, that something else holds their rows or tables.
 */
export class UnitOfWorkMetrics {
  readonly #reruns: Counter<'context' | 'reason'>;

  constructor(registry: Registry) {
    this.#reruns = new Counter({
      name: 'unit_of_work_reruns_total',
      help: 'Commands whose unit of work ran its work again, by context and reason',
      labelNames: ['context', 'reason'],
      registers: [registry],
    });
  }

  /** The observer for one context's units of work. */
  of(context: string): UnitOfWorkObserver {
    return { rerun: (reason: RerunReason) => this.#reruns.inc({ context, reason }) };
  }
}
