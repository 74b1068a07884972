import { hash, verify } from '@node-rs/argon2';
import type { Password, PasswordHash, PasswordHasher } from '../domain/password.ts';

/**
 * Argon2id with the library defaults, which are OWASP's minimum (m=19456 KiB, t=2, p=1).
 * Always the async API: it runs on libuv's thread pool instead of blocking the event loop.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  async hash(password: Password): Promise<PasswordHash> {
    return (await hash(password.reveal())) as PasswordHash;
  }

  async verify(plain: string, stored: PasswordHash): Promise<boolean> {
    if (!stored.startsWith('$argon2')) return false;
    try {
      return await verify(stored, plain);
    } catch {
      return false;
    }
  }
}
