import { InvalidPageCountError } from './errors.ts';

/** How many pages a book has: a whole number from 1 to 100,000. */
export class PageCount {
  static readonly MAX = 100_000;
  readonly value: number;

  private constructor(value: number) {
    this.value = value;
  }

  static of(pages: number): PageCount {
    if (!Number.isInteger(pages) || pages < 1 || pages > PageCount.MAX) {
      throw new InvalidPageCountError(`pages is a whole number from 1 to ${PageCount.MAX}`);
    }
    return new PageCount(pages);
  }

  equals(other: PageCount): boolean {
    return this.value === other.value;
  }
}
