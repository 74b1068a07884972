import type { RateLimitRule, RateLimitStore, RateLimitWindow } from '../application/rate-limiter.ts';
import { rateLimitKey } from './rate-limit-key.ts';

const SWEEP_EVERY_MS = 60_000;

/**
 * Rate-limit counters in process memory: right for one instance (RATE_LIMIT_STORE=memory), wrong
 * for several, where each would count only its share. Ended windows are swept once a minute, so
 * a flood of one-off subjects (spoofed IPs) cannot grow the map without bound.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, { hits: number; endsAt: number }>();
  #lastSweep = 0;

  async hit(rule: RateLimitRule, subject: string, now: Date): Promise<RateLimitWindow> {
    const at = now.getTime();
    this.#sweep(at);
    const key = rateLimitKey(rule, subject);
    const current = this.#windows.get(key);
    const window =
      current === undefined || current.endsAt <= at
        ? { hits: 1, endsAt: at + rule.windowSeconds * 1000 }
        : { hits: current.hits + 1, endsAt: current.endsAt };
    this.#windows.set(key, window);
    return { hits: window.hits, endsAt: new Date(window.endsAt) };
  }

  async giveBack(rule: RateLimitRule, subject: string, now: Date): Promise<void> {
    const key = rateLimitKey(rule, subject);
    const current = this.#windows.get(key);
    if (current !== undefined && current.endsAt > now.getTime() && current.hits > 0) {
      this.#windows.set(key, { hits: current.hits - 1, endsAt: current.endsAt });
    }
  }

  /** How many windows are kept (for the sweeping test). */
  get size(): number {
    return this.#windows.size;
  }

  #sweep(at: number): void {
    if (at - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = at;
    for (const [key, window] of this.#windows) if (window.endsAt <= at) this.#windows.delete(key);
  }
}
