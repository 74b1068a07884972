import { isOneLine } from '../../../shared/domain/text.ts';
import { InvalidPersonNameError } from './errors.ts';

/** An author's name: a first and a last name, each 1–100 characters after trimming, on one line. */
export class PersonName {
  static readonly MAX_LENGTH = 100;
  readonly first: string;
  readonly last: string;

  private constructor(first: string, last: string) {
    this.first = first;
    this.last = last;
  }

  static of(first: string, last: string): PersonName {
    return new PersonName(namePart(first, 'first name'), namePart(last, 'last name'));
  }

  /** "First Last", as books show their authors. */
  get full(): string {
    return `${this.first} ${this.last}`;
  }

  equals(other: PersonName): boolean {
    return this.first === other.first && this.last === other.last;
  }
}

function namePart(raw: string, which: string): string {
  const value = raw.trim();
  const length = [...value].length;
  if (length === 0 || length > PersonName.MAX_LENGTH) {
    throw new InvalidPersonNameError(`The ${which} is 1 to ${PersonName.MAX_LENGTH} characters long`);
  }
  if (!isOneLine(value)) {
    throw new InvalidPersonNameError(`The ${which} is one line of text without control characters`);
  }
  return value;
}
