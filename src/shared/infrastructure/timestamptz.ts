/**
 * `timestamptz` text to `Date`, for the pg driver. pg's own parser (postgres-date) runs a regular
 * expression and several `parseInt`s per value; a page of 20 projects had 40 timestamps, and in a
 * profile of that list they cost the Node thread about 5 % (read models now take them as text:
 * `isoInstantParser`; repositories still read `Date`s). This one reads the shape PostgreSQL
 * sends with `DateStyle = ISO` — `YYYY-MM-DD HH:MM:SS[.fraction]±HH[:MM[:SS]]` — by character
 * codes, and leaves anything else (BC dates, infinity, years before 1000 or after 9999) to the
 * fallback, which is pg's parser. Fractions are truncated to milliseconds, as pg's parser does.
 */
export function timestamptzParser(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text) => parseIsoTimestamptz(text) ?? fallback(text);
}

/**
 * A `timestamptz` read as text (`column::text`, see `instantText`) written as the API writes every
 * instant: `Date#toISOString()`, `YYYY-MM-DDTHH:MM:SS.sssZ`. For a read model, which only passes
 * the instant on: parsing it to a `Date` and formatting that again cost a page of 20 books (40
 * instants) about a tenth of the Node thread's time per search. What a session in UTC writes
 * (`…+00`, years 1000–9999) is rewritten by position; anything else is parsed (`timestamptzParser`)
 * and formatted.
 */
export function isoInstantParser(fallback: (text: string) => unknown): (text: string) => string {
  const parse = timestamptzParser(fallback);
  return (text) => isoFromUtcText(text) ?? (parse(text) as Date).toISOString();
}

/** `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00` as `YYYY-MM-DDTHH:MM:SS.sssZ`, or undefined for another shape. */
export function isoFromUtcText(text: string): string | undefined {
  const end = text.length - 3;
  if (
    end < 19 ||
    end > 26 ||
    end === 20 ||
    text.charCodeAt(end) !== PLUS ||
    text.charCodeAt(end + 1) !== ZERO ||
    text.charCodeAt(end + 2) !== ZERO ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== SPACE ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    (end > 19 && text.charCodeAt(19) !== DOT) ||
    text.charCodeAt(0) === ZERO // a year before 1000: leave it to the parser, as parsing does
  )
    return undefined;
  for (let at = 0; at < end; at += 1) {
    if (at === 4 || at === 7 || at === 10 || at === 13 || at === 16 || at === 19) continue;
    const digit = text.charCodeAt(at) - ZERO;
    if (digit < 0 || digit > 9) return undefined;
  }
  // The fraction, truncated or padded to milliseconds (PostgreSQL drops trailing zeros).
  const millis = end === 19 ? '000' : `${text.slice(20, Math.min(end, 23))}00`.slice(0, 3);
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`;
}

const DASH = 45;
const SPACE = 32;
const COLON = 58;
const DOT = 46;
const PLUS = 43;
const ZERO = 48;
const MINUS = 45;
/** The seconds in each part of a zone offset: ±HH[:MM[:SS]]. */
const OFFSET_PARTS = [3600, 60, 1] as const;

/** The instant `text` names, or undefined when it is not in the common ISO shape. */
export function parseIsoTimestamptz(text: string): Date | undefined {
  if (
    text.length < 22 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== SPACE ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  )
    return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 1000 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return undefined;
  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === DOT) {
    at += 1;
    for (let scale = 100; at < text.length; at += 1, scale /= 10) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      if (scale >= 1) millis += digit * scale;
    }
  }
  const sign = text.charCodeAt(at);
  if (sign !== PLUS && sign !== MINUS) return undefined;
  let offset = 0;
  for (const unit of OFFSET_PARTS) {
    if (unit !== OFFSET_PARTS[0]) {
      if (at === text.length) break;
      if (text.charCodeAt(at) !== COLON) return undefined;
    }
    const part = digits(text, at + 1, at + 3);
    if (part < 0) return undefined;
    offset += part * unit;
    at += 3;
  }
  if (at !== text.length) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return new Date(local - (sign === PLUS ? offset : -offset) * 1000);
}

/** The decimal number in text[from, to), or -1 when that is not all digits. */
function digits(text: string, from: number, to: number): number {
  if (to > text.length) return -1;
  let value = 0;
  for (let at = from; at < to; at += 1) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
