import { InvalidEmailError } from './errors.ts';

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * An email address, normalised to lower case (two spellings of one mailbox are one member).
 * The rules are a practical subset of RFC 5321: at most 254 characters, a dot-atom local part of
 * at most 64, and a domain of at least two DNS labels.
 */
export class Email {
  readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  static parse(raw: string): Email {
    const value = raw.trim().toLowerCase();
    const at = value.lastIndexOf('@');
    const local = value.slice(0, at);
    const domain = value.slice(at + 1);
    const labels = domain.split('.');
    const valid =
      at > 0 &&
      value.length <= 254 &&
      local.length <= 64 &&
      LOCAL_PART.test(local) &&
      labels.length >= 2 &&
      labels.every((label) => DOMAIN_LABEL.test(label)) &&
      !/^[0-9]+$/.test(labels[labels.length - 1]!);
    if (!valid) throw new InvalidEmailError(`"${raw.slice(0, 254)}" is not a valid email address`);
    return new Email(value);
  }

  /** `parse`, answering undefined instead of throwing (for input that is not ours to judge, like a sign-in username). */
  static tryParse(raw: string): Email | undefined {
    try {
      return Email.parse(raw);
    } catch (error) {
      if (error instanceof InvalidEmailError) return undefined;
      throw error;
    }
  }

  equals(other: Email): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}
