import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedClock } from './clock.ts';
import { ID_EPOCH_MS, Id, MAX_WORKER_ID, SnowflakeIdGenerator } from './id.ts';

describe('Snowflake ids', () => {
  it('are strictly increasing whatever the clock does, including stepping back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 300 }),
        (steps) => {
          const clock = new FixedClock('2026-06-01T00:00:00.000Z');
          const ids = new SnowflakeIdGenerator(7, clock);
          let previous = ids.next();
          for (const step of steps) {
            clock.advance(step);
            const next = ids.next();
            expect(next > previous).toBe(true);
            previous = next;
          }
        },
      ),
    );
  });

  it('lays out 41 bits of time since 2026-01-01, 10 of worker and 12 of sequence', () => {
    const clock = new FixedClock('2026-03-04T05:06:07.089Z');
    const id = new SnowflakeIdGenerator(MAX_WORKER_ID, clock).next();
    expect(Id.timestamp(id).toISOString()).toBe('2026-03-04T05:06:07.089Z');
    expect(Id.worker(id)).toBe(MAX_WORKER_ID);
    expect(id & 0xfffn).toBe(0n);
    expect(id >> 22n).toBe(BigInt(Date.parse('2026-03-04T05:06:07.089Z') - ID_EPOCH_MS));
  });

  it('borrows the next millisecond when 4096 ids are made in one', () => {
    const clock = new FixedClock();
    const ids = new SnowflakeIdGenerator(1, clock);
    const made = Array.from({ length: 4097 }, () => ids.next());
    expect(new Set(made).size).toBe(4097);
    expect(Id.timestamp(made[4096]!).getTime()).toBe(Id.timestamp(made[0]!).getTime() + 1);
  });

  it('never collides between two workers in the same millisecond', () => {
    const clock = new FixedClock();
    const a = new SnowflakeIdGenerator(1, clock);
    const b = new SnowflakeIdGenerator(2, clock);
    const all = new Set([
      ...Array.from({ length: 100 }, () => a.next()),
      ...Array.from({ length: 100 }, () => b.next()),
    ]);
    expect(all.size).toBe(200);
  });

  it('refuses worker ids outside 0..1023', () => {
    expect(() => new SnowflakeIdGenerator(1024, new FixedClock())).toThrow(RangeError);
    expect(() => new SnowflakeIdGenerator(-1, new FixedClock())).toThrow(RangeError);
  });

  it('round-trips through its decimal text and refuses anything else', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }), (value) => {
        expect(Id.tryParse(value.toString())).toBe(value);
      }),
    );
    for (const bad of ['', '0', '-1', '01', '1.5', '1e3', ' 1', '9223372036854775808', 'abc']) {
      expect(Id.tryParse(bad)).toBeUndefined();
    }
  });
});
