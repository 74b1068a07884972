import { InvalidIsbnError } from './errors.ts';

/** Digits, optionally grouped by single hyphens or spaces; an ISBN-10 may end in X. */
const WRITTEN_FORM = /^[0-9](?:[- ]?[0-9])*(?:[- ]?[Xx])?$/;

/**
 * An International Standard Book Number. Accepts the ISBN-10 and the ISBN-13 forms, with or
 * without hyphens or spaces, checks the check digit, and keeps the 13 digits of the ISBN-13 form,
 * so one book has one spelling (and the unique index sees duplicates written differently).
 * An ISBN-10 is an ISBN-13 with the `978` prefix, so it converts both ways; `979` ISBNs have no
 * ISBN-10.
 */
export class Isbn {
  /** The 13 digits of the ISBN-13 form, without separators. */
  readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  static parse(raw: string): Isbn {
    const written = raw.trim();
    const shown = JSON.stringify(written.slice(0, 40));
    if (!WRITTEN_FORM.test(written)) {
      throw new InvalidIsbnError(
        `The isbn ${shown} is not an ISBN: 10 or 13 digits, optionally grouped by hyphens or spaces`,
      );
    }
    const digits = written.replace(/[- ]/g, '').toUpperCase();
    if (digits.length === 10) {
      const expected = isbn10CheckDigit(digits.slice(0, 9));
      if (digits[9] !== expected) {
        throw new InvalidIsbnError(
          `The isbn ${shown} has a wrong check digit (an ISBN-10 ending in ${expected})`,
        );
      }
      return new Isbn(withIsbn13CheckDigit(`978${digits.slice(0, 9)}`));
    }
    if (digits.length === 13 && !digits.endsWith('X')) {
      if (!/^97[89]/.test(digits)) {
        throw new InvalidIsbnError(`The isbn ${shown} is not an ISBN: an ISBN-13 starts with 978 or 979`);
      }
      const expected = isbn13CheckDigit(digits.slice(0, 12));
      if (digits[12] !== expected) {
        throw new InvalidIsbnError(
          `The isbn ${shown} has a wrong check digit (an ISBN-13 ending in ${expected})`,
        );
      }
      return new Isbn(digits);
    }
    throw new InvalidIsbnError(`The isbn ${shown} is not an ISBN: it has neither 10 nor 13 digits`);
  }

  /** The ISBN-10 form, for the `978` ISBNs that have one. */
  get isbn10(): string | undefined {
    if (!this.value.startsWith('978')) return undefined;
    const body = this.value.slice(3, 12);
    return body + isbn10CheckDigit(body);
  }

  equals(other: Isbn): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}

/** ISBN-10: weights 10..2 over the first nine digits; the check makes the sum 0 mod 11 (10 is X). */
function isbn10CheckDigit(nine: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (10 - i) * Number(nine[i]);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** ISBN-13 (EAN-13): weights 1 and 3 alternately; the check makes the sum 0 mod 10. */
function isbn13CheckDigit(twelve: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += (i % 2 === 0 ? 1 : 3) * Number(twelve[i]);
  return String((10 - (sum % 10)) % 10);
}

function withIsbn13CheckDigit(twelve: string): string {
  return twelve + isbn13CheckDigit(twelve);
}
