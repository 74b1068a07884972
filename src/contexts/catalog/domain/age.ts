import { InvalidAgeError } from './errors.ts';

/** An author's age in whole years, 1 to 150. */
export class Age {
  static readonly MAX = 150;
  readonly value: number;

  private constructor(value: number) {
    this.value = value;
  }

  static of(years: number): Age {
    if (!Number.isInteger(years) || years < 1 || years > Age.MAX) {
      throw new InvalidAgeError(`age is a whole number of years from 1 to ${Age.MAX}`);
    }
    return new Age(years);
  }

  equals(other: Age): boolean {
    return this.value === other.value;
  }
}
