import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPriceError } from './errors.ts';
import { Money } from './money.ts';

const amount = fc.bigInt({ min: 0n, max: 10n ** 15n });

describe('Money', () => {
  it('never loses precision: every amount up to 10^15 survives JSON, the database text and back', () => {
    fc.assert(
      fc.property(amount, (minor) => {
        const money = Money.of(minor, 'USD');
        // As the API and the events carry it (a JSON number)…
        const fromJson = Money.of(JSON.parse(JSON.stringify({ amount: money.amountAsNumber })).amount, 'USD');
        // …and as a bigint column comes back (decimal text).
        const fromColumn = Money.of(BigInt(money.amount.toString()), 'USD');
        expect(fromJson.amount).toBe(minor);
        expect(fromColumn.equals(money)).toBe(true);
      }),
    );
  });

  it('accepts exactly the whole numbers from 0 to 10^15 minor units', () => {
    expect(Money.of(0).amount).toBe(0n);
    expect(Money.of(1_000_000_000_000_000).amount).toBe(10n ** 15n);
    for (const bad of [
      -1,
      1_000_000_000_000_001,
      0.5,
      19.99,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
    ]) {
      expect(() => Money.of(bad)).toThrow(InvalidPriceError);
    }
    expect(() => Money.of(-1n)).toThrow(/price.amount/);
  });

  it('is in KRW unless told otherwise, and knows ISO 4217 codes only', () => {
    expect(Money.of(15_000).currency).toBe('KRW');
    expect(Money.of(1999, 'USD').currency).toBe('USD');
    for (const bad of ['krw', 'ABC', 'XAU', 'US', '']) {
      expect(() => Money.of(1, bad)).toThrow(/price.currency/);
    }
  });

  it('is equal to another only with the same amount and currency', () => {
    expect(Money.of(100, 'KRW').equals(Money.of(100n, 'KRW'))).toBe(true);
    expect(Money.of(100, 'KRW').equals(Money.of(100, 'JPY'))).toBe(false);
    expect(Money.of(100, 'KRW').equals(Money.of(101, 'KRW'))).toBe(false);
  });
});
