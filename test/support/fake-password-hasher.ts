import type { Password, PasswordHash, PasswordHasher } from '../../src/contexts/accounts/domain/password.ts';

/** A hasher that costs nothing, so tests do not spend 7 ms of Argon2 per sign-up. */
export class FakePasswordHasher implements PasswordHasher {
  async hash(password: Password): Promise<PasswordHash> {
    return `fake$${Buffer.from(password.reveal()).toString('base64')}` as PasswordHash;
  }

  async verify(plain: string, hash: PasswordHash): Promise<boolean> {
    return hash === `fake$${Buffer.from(plain).toString('base64')}`;
  }
}
