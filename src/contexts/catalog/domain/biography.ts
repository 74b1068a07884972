import { isProse } from '../../../shared/domain/text.ts';
import { InvalidBiographyError } from './errors.ts';

/** Free text about an author: up to 3000 characters, paragraphs allowed. */
export class Biography {
  static readonly MAX_LENGTH = 3000;
  readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  /** Blank text means "no biography", hence null. */
  static parse(raw: string | null): Biography | null {
    if (raw === null) return null;
    const value = raw.trim();
    if (value === '') return null;
    if ([...value].length > Biography.MAX_LENGTH) {
      throw new InvalidBiographyError(`The biography is at most ${Biography.MAX_LENGTH} characters long`);
    }
    // Line breaks and tabs are welcome in prose; other control characters are not text.
    if (!isProse(value)) {
      throw new InvalidBiographyError('The biography cannot contain control characters');
    }
    return new Biography(value);
  }

  static equal(a: Biography | null, b: Biography | null): boolean {
    return a === null || b === null ? a === b : a.value === b.value;
  }
}
