import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { ConcurrencyLimit } from '../../../shared/infrastructure/concurrency-limit.ts';
import type { Password, PasswordHash, PasswordHasher } from '../domain/password.ts';

/** The library defaults, which are OWASP's minimum for Argon2id: m=19456 KiB, t=2, p=1. */
const CURRENT = '$argon2id$v=19$m=19456,t=2,p=1$';
/** What the Python references stored (passlib/bcrypt): `$2a$`, `$2b$` and PHP's `$2y$`. */
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * Argon2id with the library defaults. Always the async API: it runs on libuv's thread pool
 * instead of blocking the event loop. Legacy bcrypt hashes verify too, and are reported
 * outdated so the sign-in that proves the password replaces them with Argon2id.
 *
 * At most `concurrency` hashes run at once (default: one per CPU); the rest wait here, in order.
 * Each holds 19 MiB and a core for its whole run, so more at once than there are cores only
 * share the cores: measured on 2 cores, sign-ins ran at the same rate with 2 at once as with
 * libuv's 4, and the process peaked 41 MiB lower (181 against 222 MiB). Alone, hashing itself was
 * faster with 2 at once (127–150/s against 115–128/s), caches shared by fewer. It also leaves
 * libuv's other threads free for file and DNS work while sign-ins queue.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  readonly #limit: ConcurrencyLimit;
  #dummy: Promise<PasswordHash> | undefined;

  constructor(concurrency: number = availableParallelism()) {
    this.#limit = new ConcurrencyLimit(concurrency);
  }

  async hash(password: Password): Promise<PasswordHash> {
    const plain = password.reveal();
    return (await this.#limit.run(() => hash(plain))) as PasswordHash;
  }

  async verify(plain: string, stored: PasswordHash): Promise<boolean> {
    try {
      if (stored.startsWith('$argon2')) return await this.#limit.run(() => verify(stored, plain));
      if (BCRYPT.test(stored)) return await (await import('bcryptjs')).default.compare(plain, stored);
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
