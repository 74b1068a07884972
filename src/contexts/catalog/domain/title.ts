import { isOneLine } from '../../../shared/domain/text.ts';
import { InvalidTitleError } from './errors.ts';

/** A book's title: 1–100 characters after trimming, on one line. */
export class Title {
  static readonly MAX_LENGTH = 100;
  readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  static parse(raw: string): Title {
    const value = raw.trim();
    const length = [...value].length;
    if (length === 0 || length > Title.MAX_LENGTH) {
      throw new InvalidTitleError(`The title is 1 to ${Title.MAX_LENGTH} characters long (after trimming)`);
    }
    if (!isOneLine(value)) {
      throw new InvalidTitleError('The title is one line of text without control characters');
    }
    return new Title(value);
  }

  equals(other: Title): boolean {
    return this.value === other.value;
  }
}
