import type { Clock } from '../domain/clock.ts';

/** At most `limit` counted attempts per subject in `windowSeconds`. */
export interface RateLimitRule {
  /** A stable name: it is part of the stored key (`auth.token.ip`). */
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/** One subject's counter under one rule. */
export interface RateLimitWindow {
  readonly hits: number;
  readonly endsAt: Date;
}

/**
 * Where the counters live: process memory for one instance, PostgreSQL when several instances
 * must share them. A window opens with a subject's first hit and lasts the rule's window; a hit
 * after it ended opens a new one. Both operations are atomic per key.
 */
export interface RateLimitStore {
  /** Counts one hit and answers the window it fell in. */
  hit(rule: RateLimitRule, subject: string, now: Date): Promise<RateLimitWindow>;
  /** Takes one hit back from a window that is still open (an attempt that must not count after all). */
  giveBack(rule: RateLimitRule, subject: string, now: Date): Promise<void>;
}

export type RateLimitDecision =
  | {
      readonly allowed: true;
      /** Takes this attempt back out of the count (a sign-in that succeeded). */
      readonly giveBack: () => Promise<void>;
    }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Counts attempts against rules. An attempt is counted before the work it guards, so N
 * concurrent attempts can never all slip under the limit; work that should not count (a
 * successful sign-in) gives its attempt back afterwards.
 */
export class RateLimiter {
  readonly #store: RateLimitStore;
  readonly #clock: Clock;

  constructor(store: RateLimitStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async attempt(rule: RateLimitRule, subject: string): Promise<RateLimitDecision> {
    const now = this.#clock.now();
    const window = await this.#store.hit(rule, subject, now);
    if (window.hits > rule.limit) {
      const seconds = Math.ceil((window.endsAt.getTime() - now.getTime()) / 1000);
      return { allowed: false, retryAfterSeconds: Math.max(1, seconds) };
    }
    return { allowed: true, giveBack: () => this.#store.giveBack(rule, subject, this.#clock.now()) };
  }
}
