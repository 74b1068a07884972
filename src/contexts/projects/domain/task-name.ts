import { isOneLine } from '../../../shared/domain/text.ts';
import { InvalidTaskNameError } from './errors.ts';

/** A task's name: 4–32 characters after trimming, no control characters. */
export class TaskName {
  readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  static readonly MIN_LENGTH = 4;
  static readonly MAX_LENGTH = 32;

  static parse(raw: string): TaskName {
    const value = raw.trim();
    const length = [...value].length;
    if (length < TaskName.MIN_LENGTH || length > TaskName.MAX_LENGTH) {
      throw new InvalidTaskNameError(
        `A task name is ${TaskName.MIN_LENGTH} to ${TaskName.MAX_LENGTH} characters long, not counting surrounding spaces`,
      );
    }
    if (!isOneLine(value))
      throw new InvalidTaskNameError('A task name is one line of text without control characters');
    return new TaskName(value);
  }

  equals(other: TaskName): boolean {
    return this.value === other.value;
  }
}
