import type { Password, PasswordHash, PasswordHasher } from '../../src/contexts/accounts/domain/password.ts';

/**
 * A hasher that costs nothing, so tests do not spend 7 ms of Argon2 per sign-up. Hashes made
 * today start with `fake$`; a `legacy$` hash stands for an outdated one (bcrypt). It counts its
 * verifications, so a test can see that an unknown email costs one too.
 */
export class FakePasswordHasher implements PasswordHasher {
  verifications = 0;

  async hash(password: Password): Promise<PasswordHash> {
    return this.upgrade(password.reveal());
  }

  async verify(plain: string, hash: PasswordHash): Promise<boolean> {
    this.verifications += 1;
    const encoded = Buffer.from(plain).toString('base64');
    return hash === `fake$${encoded}` || hash === `legacy$${encoded}`;
  }

  isOutdated(hash: PasswordHash): boolean {
    return !hash.startsWith('fake$');
  }

  async upgrade(verifiedPlain: string): Promise<PasswordHash> {
    return `fake$${Buffer.from(verifiedPlain).toString('base64')}` as PasswordHash;
  }

  async dummyHash(): Promise<PasswordHash> {
    return 'fake$dummy-hash-of-nobody' as PasswordHash;
  }
}
