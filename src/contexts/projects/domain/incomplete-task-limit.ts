import { InvalidTaskLimitError } from './errors.ts';

/** How many incomplete tasks a project may have at once: a whole number from 1 to 1,000. */
export class IncompleteTaskLimit {
  readonly value: number;

  private constructor(value: number) {
    this.value = value;
  }

  static readonly MAX = 1000;

  static of(value: number): IncompleteTaskLimit {
    if (!Number.isInteger(value) || value < 1 || value > IncompleteTaskLimit.MAX) {
      throw new InvalidTaskLimitError(
        `The incomplete-task limit is a whole number from 1 to ${IncompleteTaskLimit.MAX}`,
      );
    }
    return new IncompleteTaskLimit(value);
  }

  /** Whether a project may hold `incomplete` incomplete tasks. */
  allows(incomplete: number): boolean {
    return incomplete <= this.value;
  }

  equals(other: IncompleteTaskLimit | null): boolean {
    return other !== null && this.value === other.value;
  }
}
