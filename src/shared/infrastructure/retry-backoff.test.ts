import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-backoff.ts';

describe('retry backoff', () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles from the base, with the jitter in the upper half of each delay', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, backoff, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, backoff, () => 1))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it('never exceeds the cap, however many attempts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const delay = retryDelayMs(attempt, backoff, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(backoff.maxMs);
        },
      ),
    );
    expect(retryDelayMs(50, backoff, () => 0)).toBe(30_000);
  });

  it('spreads retries that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(5, backoff)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('retries at once with a zero base', () => {
    expect(retryDelayMs(7, { baseMs: 0, maxMs: 60_000 })).toBe(0);
  });
});
