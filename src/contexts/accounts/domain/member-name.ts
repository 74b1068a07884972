import { isOneLine } from '../../../shared/domain/text.ts';
import { InvalidMemberNameError } from './errors.ts';

/** A member's display name: 1–100 characters after trimming, no control characters. */
export class MemberName {
  readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  static readonly MAX_LENGTH = 100;

  static parse(raw: string): MemberName {
    const value = raw.trim();
    const length = [...value].length;
    if (length === 0 || length > MemberName.MAX_LENGTH) {
      throw new InvalidMemberNameError(`A name is 1 to ${MemberName.MAX_LENGTH} characters long`);
    }
    if (!isOneLine(value))
      throw new InvalidMemberNameError('A name is one line of text without control characters');
    return new MemberName(value);
  }

  equals(other: MemberName): boolean {
    return this.value === other.value;
  }
}
