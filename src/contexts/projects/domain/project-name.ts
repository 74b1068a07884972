import { isOneLine } from '../../../shared/domain/text.ts';
import { InvalidProjectNameError } from './errors.ts';

/** A project's name: 4–32 characters after trimming, no control characters. */
export class ProjectName {
  readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  static readonly MIN_LENGTH = 4;
  static readonly MAX_LENGTH = 32;

  static parse(raw: string): ProjectName {
    const value = raw.trim();
    const length = [...value].length;
    if (length < ProjectName.MIN_LENGTH || length > ProjectName.MAX_LENGTH) {
      throw new InvalidProjectNameError(
        `A project name is ${ProjectName.MIN_LENGTH} to ${ProjectName.MAX_LENGTH} characters long, not counting surrounding spaces`,
      );
    }
    if (!isOneLine(value))
      throw new InvalidProjectNameError('A project name is one line of text without control characters');
    return new ProjectName(value);
  }

  equals(other: ProjectName): boolean {
    return this.value === other.value;
  }
}
