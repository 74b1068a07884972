import { InvalidPublicationYearError } from './errors.ts';

/**
 * The year a book was published: from 1450 (Gutenberg's press) to next year, since publishers
 * announce books before they appear. "Next year" is read from the caller's clock.
 */
export class PublicationYear {
  static readonly EARLIEST = 1450;
  readonly value: number;

  private constructor(value: number) {
    this.value = value;
  }

  static of(year: number, now: Date): PublicationYear {
    const latest = now.getUTCFullYear() + 1;
    if (!Number.isInteger(year) || year < PublicationYear.EARLIEST || year > latest) {
      throw new InvalidPublicationYearError(
        `publication_year is a year from ${PublicationYear.EARLIEST} to ${latest}`,
      );
    }
    return new PublicationYear(year);
  }

  /**
   * A year read back from storage: it passed `of` when stored, and the upper bound only grows
   * with time, so it is not checked against today again.
   */
  static stored(year: number): PublicationYear {
    return new PublicationYear(year);
  }

  equals(other: PublicationYear): boolean {
    return this.value === other.value;
  }
}
