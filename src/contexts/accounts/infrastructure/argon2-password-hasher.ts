import type { Password, PasswordHash, PasswordHasher } from '../domain/password.ts';
import { HashingJobError, HashingThreads, type HashingThreadsOptions } from './hashing-threads.ts';

/** The library defaults, which are OWASP's minimum for Argon2id: m=19456 KiB, t=2, p=1. */
const CURRENT = '$argon2id$v=19$m=19456,t=2,p=1$';
/** What the Python references stored (passlib/bcrypt): `$2a$`, `$2b$` and PHP's `$2y$`. */
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * Argon2id with the library defaults (`@node-rs/argon2`). Legacy bcrypt hashes verify too
 * (`@node-rs/bcrypt`), and are reported outdated so the sign-in that proves the password replaces
 * them with Argon2id; at the references' cost of 12 one takes a core for about a quarter of a second.
 *
 * All of it runs on `concurrency` threads of its own (PASSWORD_HASH_CONCURRENCY; by default one
 * per CPU), never on the event loop: further hashes wait there, in order (HashingThreads says why
 * not on libuv's pool). Each hash holds 19 MiB and a core for its whole run, so more threads than
 * cores only share the cores and hold more memory (README, "Performance").
 */
export class Argon2PasswordHasher implements PasswordHasher {
  readonly #threads: HashingThreads;
  #dummy: Promise<PasswordHash> | undefined;

  constructor(concurrency: number, threads: HashingThreadsOptions = {}) {
    this.#threads = new HashingThreads(concurrency, threads);
  }

  async hash(password: Password): Promise<PasswordHash> {
    return this.#hash(password.reveal());
  }

  async verify(plain: string, stored: PasswordHash): Promise<boolean> {
    const kind = stored.startsWith('$argon2')
      ? 'argon2-verify'
      : BCRYPT.test(stored)
        ? 'bcrypt-verify'
        : undefined;
    if (kind === undefined) return false;
    try {
      return (await this.#threads.run({ kind, stored, plain })) === true;
    } catch (error) {
      // A stored hash the library cannot read proves nothing; a stopped thread is an outage.
      if (error instanceof HashingJobError) return false;
      throw error;
    }
  }

  isOutdated(stored: PasswordHash): boolean {
    return !stored.startsWith(CURRENT);
  }

  upgrade(verifiedPlain: string): Promise<PasswordHash> {
    return this.#hash(verifiedPlain);
  }

  dummyHash(): Promise<PasswordHash> {
    // Made once per process, with the same parameters as real hashes, from a password nobody has.
    if (this.#dummy === undefined) {
      const making = this.#hash(`no member has this password ${Math.random()}`);
      this.#dummy = making;
      // Made again after a failure: kept, it would fail every unknown email until a restart, and
      // a known one would still get its 400, which tells the two apart.
      making.catch(() => {
        if (this.#dummy === making) this.#dummy = undefined;
      });
    }
    return this.#dummy;
  }

  async #hash(plain: string): Promise<PasswordHash> {
    return (await this.#threads.run({ kind: 'argon2-hash', plain })) as PasswordHash;
  }
}
