export interface Backoff {
  /** The delay before the second attempt; 0 retries at once (tests). */
  readonly baseMs: number;
  /** No delay grows past this. */
  readonly maxMs: number;
}

/**
 * How long to wait after failed attempt number `attempt` (1, 2, …): exponential, `baseMs · 2^(attempt-1)`
 * capped at `maxMs`, with "equal jitter": a random point in the upper half of that delay. The
 * jitter spreads the retries of deliveries that failed together (the SMTP server was down) so they
 * do not all come back in the same instant; keeping the lower half means delays still grow.
 */
export function retryDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
