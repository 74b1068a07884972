import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isoFromUtcText, isoInstantParser, parseIsoTimestamptz, timestamptzParser } from './timestamptz.ts';

const pgParser = pg.types.getTypeParser(1184) as (text: string) => unknown;
const two = (n: number) => String(n).padStart(2, '0');

/** An instant as PostgreSQL writes it with DateStyle ISO in a zone `offsetSeconds` east of UTC. */
function asPostgresWrites(epochMillis: number, offsetSeconds: number): string {
  const local = new Date(epochMillis + offsetSeconds * 1000);
  const millis = local.getUTCMilliseconds();
  const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
  const size = Math.abs(offsetSeconds);
  const zone =
    (offsetSeconds < 0 ? '-' : '+') +
    two(Math.floor(size / 3600)) +
    (size % 3600 === 0 ? '' : `:${two(Math.floor((size % 3600) / 60))}`) +
    (size % 60 === 0 ? '' : `:${two(size % 60)}`);
  return `${String(local.getUTCFullYear()).padStart(4, '0')}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}${fraction}${zone}`;
}

describe('timestamptz parsing', () => {
  it('reads every instant of years 1000–9999 in any zone as the instant it was, as pg’s parser does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.oneof(
          fc.integer({ min: -15, max: 15 }).map((hours) => hours * 3600),
          fc.integer({ min: -15 * 60, max: 15 * 60 }).map((minutes) => minutes * 60),
          fc.integer({ min: -15 * 3600, max: 15 * 3600 }),
        ),
        (epochMillis, offsetSeconds) => {
          const text = asPostgresWrites(epochMillis, offsetSeconds);
          const parsed = parseIsoTimestamptz(text);
          expect(parsed?.getTime(), text).toBe(epochMillis);
          expect(parsed?.getTime(), text).toBe((pgParser(text) as Date).getTime());
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('truncates a fraction finer than milliseconds, as pg’s parser does', () => {
    expect(parseIsoTimestamptz('2026-11-29 22:33:18.094987+00')?.toISOString()).toBe(
      '2026-11-29T22:33:18.094Z',
    );
    expect(parseIsoTimestamptz('2026-11-29 22:33:18.5-02:30')?.toISOString()).toBe(
      '2026-11-30T01:03:18.500Z',
    );
  });

  it('leaves every other shape to the fallback', () => {
    const parse = timestamptzParser(pgParser);
    for (const text of [
      'infinity',
      '-infinity',
      '0044-03-15 12:00:00+00 BC',
      '0099-01-01 00:00:00+00',
      '12026-01-01 00:00:00+00',
      '2026-11-29T22:33:18Z',
      '2026-11-29 22:33:18+0x',
      '2026-11-29 22:33:18+01:3',
      '2026-11-29 22:33:18',
    ]) {
      expect(parseIsoTimestamptz(text), text).toBeUndefined();
      expect(parse(text), text).toEqual(pgParser(text));
    }
  });
});

describe('timestamptz text as the API writes instants', () => {
  const iso = isoInstantParser(pgParser);
  const expected = (text: string) => (pgParser(text) as Date).toISOString();

  it('writes every instant of years 1000–9999, in any zone and to the microsecond, as toISOString does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: -15, max: 15 }).map((hours) => hours * 3600),
          fc.integer({ min: -15 * 3600, max: 15 * 3600 }),
        ),
        fc.integer({ min: 0, max: 999 }),
        (epochMillis, offsetSeconds, micros) => {
          const written = asPostgresWrites(epochMillis, offsetSeconds);
          // PostgreSQL keeps microseconds and drops a fraction's trailing zeros.
          const withMicros =
            micros === 0 || !written.includes('.')
              ? written
              : written.replace(/\.(\d+)/, (_, ms: string) =>
                  `.${ms.padEnd(3, '0')}${String(micros).padStart(3, '0')}`.replace(/0+$/, ''),
                );
          for (const text of [written, withMicros]) {
            expect(iso(text), text).toBe(new Date(epochMillis).toISOString());
            expect(iso(text), text).toBe(expected(text));
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('rewrites what a session in UTC sends by position, padding or truncating the fraction', () => {
    for (const [text, written] of [
      ['2026-11-29 22:33:18+00', '2026-11-29T22:33:18.000Z'],
      ['2026-11-29 22:33:18.5+00', '2026-11-29T22:33:18.500Z'],
      ['2026-11-29 22:33:18.09+00', '2026-11-29T22:33:18.090Z'],
      ['2026-11-29 22:33:18.000042+00', '2026-11-29T22:33:18.000Z'],
      ['2026-11-29 22:33:18.094987+00', '2026-11-29T22:33:18.094Z'],
    ]) {
      expect(isoFromUtcText(text!), text).toBe(written);
      expect(iso(text!), text).toBe(written);
    }
  });

  it('leaves to parsing every shape that is not UTC text of years 1000–9999', () => {
    for (const text of [
      '2026-11-29 22:33:18+00:30',
      '2026-11-29 22:33:18-00',
      '2026-11-29 22:33:18+09',
      '2026-11-29 22:33:18.+00',
      '2026-11-29 22:33:18.1234567+00',
      '0999-01-01 00:00:00+00',
      '0044-03-15 12:00:00+00 BC',
      '12026-01-01 00:00:00+00',
      '2026-11-29T22:33:18+00',
      '2026-1x-29 22:33:18+00',
      'infinity',
    ])
      expect(isoFromUtcText(text), text).toBeUndefined();
  });

  it('parses and formats every other shape', () => {
    for (const text of [
      '2026-11-29 22:33:18.5-02:30',
      '2026-11-29 22:33:18+09',
      '0999-01-01 00:00:00+00',
      '0044-03-15 12:00:00+00 BC',
      '12026-01-01 00:00:00+00',
    ])
      expect(iso(text), text).toBe(expected(text));
  });
});
