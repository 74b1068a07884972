/**
 * The aggregates that lost a race lately, by key, for `ttlMs`: a unit of work loads them locked
 * at once. Where many commands meet on one row (fifty clients adding tasks to one project), an
 * optimistic attempt would mostly lose and only add to the work; elsewhere nothing is remembered
 * and every command tries without a lock first. Holds at most `capacity` keys, the oldest
 * forgotten first. One per unit-of-work factory, so per process: it is only a hint.
 */
export class RecentRaces {
  readonly #until = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; capacity?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 1_000;
    this.#capacity = options.capacity ?? 1_000;
    this.#now = options.now ?? (() => performance.now());
  }

  lost(keys: Iterable<string>): void {
    const until = this.#now() + this.#ttlMs;
    for (const key of keys) {
      this.#until.delete(key); // re-inserted: the newest, forgotten last
      this.#until.set(key, until);
    }
    for (const oldest of this.#until.keys()) {
      if (this.#until.size <= this.#capacity) break;
      this.#until.delete(oldest);
    }
  }

  contended(key: string): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#until.delete(key);
    return false;
  }
}
