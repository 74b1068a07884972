import { hash, verify } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';
import { ConcurrencyLimit } from '../../../shared/infrastructure/concurrency-limit.ts';
import type { Password, PasswordHash, PasswordHasher } from '../domain/password.ts';

/** The library defaults, which are OWASP's minimum for Argon2id: m=19456 KiB, t=2, p=1. */
const CURRENT = '$argon2id$v=19$m=19456,t=2,p=1$';
/** What the Python references stored (passlib/bcrypt): `$2a$`, `$2b$` and PHP's `$2y$`. */
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * Argon2id with the library defaults. Always the async API: it runs on libuv's thread pool
 * instead of blocking the event loop. Legacy bcrypt hashes verify too, and are reported
 * outdated so the sign-in that proves the password replaces them with Argon2id. They verify on
 * the pool as well (`@node-rs/bcrypt`), under the same limit: at the references' cost of 12, one
 * takes a core for about a quarter of a second, which bcryptjs (pure JavaScript) spent on the
 * event loop in slices of up to 100 ms, holding up every other request.
 *
 * At most `concurrency` hashes run at once (PASSWORD_HASH_CONCURRENCY; by default one per CPU);
 * the rest wait here, in order. Each holds 19 MiB and a core for its whole run, so more at once
 * than there are cores only share the cores and hold more memory (README, "Performance"). While
 * `concurrency` is below the size of libuv's pool (4 unless UV_THREADPOOL_SIZE), its other
 * threads stay free for file and DNS work.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  readonly #limit: ConcurrencyLimit;
  #dummy: Promise<PasswordHash> | undefined;

  constructor(concurrency: number) {
    this.#limit = new ConcurrencyLimit(concurrency);
  }

  async hash(password: Password): Promise<PasswordHash> {
    const plain = password.reveal();
    return (await this.#limit.run(() => hash(plain))) as PasswordHash;
  }

  async verify(plain: string, stored: PasswordHash): Promise<boolean> {
    try {
      if (stored.startsWith('$argon2')) return await this.#limit.run(() => verify(stored, plain));
      if (BCRYPT.test(stored)) return await this.#limit.run(() => verifyBcrypt(plain, stored));
      return false;
    } catch {
      return false;
    }
  }

  isOutdated(stored: PasswordHash): boolean {
    return !stored.startsWith(CURRENT);
  }

  async upgrade(verifiedPlain: string): Promise<PasswordHash> {
    return (await this.#limit.run(() => hash(verifiedPlain))) as PasswordHash;
  }

  dummyHash(): Promise<PasswordHash> {
    // Made once per process, with the same parameters as real hashes, from a password nobody has.
    this.#dummy ??= this.#limit.run(() =>
      hash(`no member has this password ${Math.random()}`),
    ) as Promise<PasswordHash>;
    return this.#dummy;
  }
}
