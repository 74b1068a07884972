import { WeakPasswordError } from './errors.ts';

const REDACTED = '[password]';

/**
 * A plain-text password that passed the policy: 8–128 characters with at least one lower-case
 * letter, one upper-case letter and one special character. It exists only on its way to the
 * hasher; it never prints, serialises or inspects as its value.
 */
export class Password {
  readonly #plain: string;

  private constructor(plain: string) {
    this.#plain = plain;
  }

  static readonly MIN_LENGTH = 8;
  static readonly MAX_LENGTH = 128;

  static create(plain: string): Password {
    const problems: string[] = [];
    const length = [...plain].length;
    if (length < Password.MIN_LENGTH || length > Password.MAX_LENGTH) {
      problems.push(`be ${Password.MIN_LENGTH} to ${Password.MAX_LENGTH} characters long`);
    }
    if (!/\p{Ll}/u.test(plain)) problems.push('contain a lower-case letter');
    if (!/\p{Lu}/u.test(plain)) problems.push('contain an upper-case letter');
    if (!/[^\p{L}\p{N}\s]/u.test(plain)) problems.push('contain a special character');
    if (problems.length > 0) throw new WeakPasswordError(`The password must ${problems.join(', ')}`);
    return new Password(plain);
  }

  /** The plain text, for the hasher only. */
  reveal(): string {
    return this.#plain;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** A stored password hash (Argon2id, or a legacy bcrypt hash until its owner next signs in). */
export type PasswordHash = string & { readonly __brand: 'PasswordHash' };

/** The domain's port to a password hashing algorithm; infrastructure implements it with Argon2id. */
export interface PasswordHasher {
  hash(password: Password): Promise<PasswordHash>;
  verify(plain: string, hash: PasswordHash): Promise<boolean>;
  /** True for a hash made with another algorithm or weaker parameters than `hash` uses today. */
  isOutdated(hash: PasswordHash): boolean;
  /**
   * Hashes again a password that has just verified against an outdated hash. The policy is not
   * applied: the member chose the password under the rules of its time and still signs in with it.
   */
  upgrade(verifiedPlain: string): Promise<PasswordHash>;
  /**
   * A hash of nobody's password made as `hash` makes them: a sign-in for an unknown email
   * verifies against it, so it costs what a real check costs and its timing tells nothing.
   */
  dummyHash(): Promise<PasswordHash>;
}
