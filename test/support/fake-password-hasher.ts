import type { Password, PasswordHash, PasswordHasher } from '../../src/contexts/accounts/domain/password.ts';

/**
 * A hasher that costs nothing, so tests do not spend 7 ms of Argon2 per sign-up. Hashes made
 * today start with `fake$`; a `legacy$` hash stands for an outdated one (bcrypt). It counts its
 * verifications, so a test can see that an unknown email costs one too, and it can hold one
 * verification, so a test can change things while a sign-in is checking a password.
 */
export class FakePasswordHasher implements PasswordHasher {
  verifications = 0;
  /** How many times the dummy hash was asked for. */
  dummies = 0;
  #held: { started: () => void; released: Promise<void> } | undefined;

  async hash(password: Password): Promise<PasswordHash> {
    return this.upgrade(password.reveal());
  }

  async verify(plain: string, hash: PasswordHash): Promise<boolean> {
    this.verifications += 1;
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      held.started();
      await held.released;
    }
    const encoded = Buffer.from(plain).toString('base64');
    return hash === `fake$${encoded}` || hash === `legacy$${encoded}`;
  }

  /** The next verification waits, once it has its hash, until `release` is called. */
  holdNextVerification(): { started: Promise<void>; release: () => void } {
    let started!: () => void;
    let release!: () => void;
    const startedPromise = new Promise<void>((resolve) => {
      started = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#held = { started, released };
    return { started: startedPromise, release };
  }

  isOutdated(hash: PasswordHash): boolean {
    return !hash.startsWith('fake$');
  }

  async upgrade(verifiedPlain: string): Promise<PasswordHash> {
    return `fake$${Buffer.from(verifiedPlain).toString('base64')}` as PasswordHash;
  }

  async dummyHash(): Promise<PasswordHash> {
    this.dummies += 1;
    return 'fake$dummy-hash-of-nobody' as PasswordHash;
  }
}
