import { Currency } from './currency.ts';
import { InvalidPriceError } from './errors.ts';

/**
 * An amount of money: a whole number of the currency's minor units (won for KRW, cents for USD)
 * and its currency. The amount is a bigint, so no binary fraction can ever creep in; the upper
 * bound (10^15) fits the bigint column and stays exact as a JSON number (below 2^53).
 */
export class Money {
  static readonly MAX_AMOUNT = 10n ** 15n;
  readonly amount: bigint;
  readonly currency: Currency;

  private constructor(amount: bigint, currency: Currency) {
    this.amount = amount;
    this.currency = currency;
  }

  /** `amount` in minor units: a bigint, or a number that is a safe integer. */
  static of(amount: bigint | number, currency: string = Currency.DEFAULT): Money {
    const minor =
      typeof amount === 'bigint' ? amount : Number.isSafeInteger(amount) ? BigInt(amount) : undefined;
    if (minor === undefined || minor < 0n || minor > Money.MAX_AMOUNT) {
      throw new InvalidPriceError(
        `price.amount is a whole number of minor units from 0 to ${Money.MAX_AMOUNT} (10^15)`,
      );
    }
    return new Money(minor, Currency.parse(currency));
  }

  /** The amount as a JSON number: exact, since it never exceeds 10^15. */
  get amountAsNumber(): number {
    return Number(this.amount);
  }

  equals(other: Money): boolean {
    return this.amount === other.amount && this.currency === other.currency;
  }
}
