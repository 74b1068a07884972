import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { Password, type PasswordHash } from '../domain/password.ts';
import { Argon2PasswordHasher } from './argon2-password-hasher.ts';
import { CryptoOpaqueTokens } from './crypto-opaque-tokens.ts';

const hasher = new Argon2PasswordHasher(2);

describe('Argon2PasswordHasher', () => {
  it('hashes with Argon2id at OWASP parameters, salted, and verifies', async () => {
    const a = await hasher.hash(Password.create('Correct-Horse-9'));
    const b = await hasher.hash(Password.create('Correct-Horse-9'));
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify('Correct-Horse-9', a)).toBe(true);
    expect(await hasher.verify('Correct-Horse-8', a)).toBe(false);
    expect(hasher.isOutdated(a)).toBe(false);
  });

  it('verifies bcrypt hashes ($2a$, $2b$, $2y$) and calls them outdated', async () => {
    const b = bcrypt.hashSync('Legacy-Pass-1!', 4) as PasswordHash;
    for (const variant of ['$2a$', '$2b$', '$2y$']) {
      const legacy = b.replace(/^\$2.\$/, variant) as PasswordHash;
      expect(await hasher.verify('Legacy-Pass-1!', legacy)).toBe(true);
      expect(await hasher.verify('legacy-pass-1!', legacy)).toBe(false);
      expect(hasher.isOutdated(legacy)).toBe(true);
    }
    const upgraded = await hasher.upgrade('weak but old');
    expect(await hasher.verify('weak but old', upgraded)).toBe(true);
  });

  it('verifies a bcrypt hash off the event loop: it keeps turning meanwhile', async () => {
    // Cost 10: about 60 ms of one core. Verified on the event loop (bcryptjs), it took one slice
    // and the loop turned once or twice; on a hashing thread, the loop turns freely.
    const legacy = bcrypt.hashSync('Legacy-Pass-1!', 10) as PasswordHash;
    let turns = 0;
    let verifying = true;
    const spin = (): void => {
      turns += 1;
      if (verifying) setImmediate(spin);
    };
    setImmediate(spin);
    const verified = await hasher.verify('Legacy-Pass-1!', legacy);
    verifying = false;
    expect(verified).toBe(true);
    expect(turns).toBeGreaterThan(20);
  });

  it('gives each of many concurrent hashes and verifications its own answer, with a limit of one at a time', async () => {
    const single = new Argon2PasswordHasher(1);
    const passwords = ['First-Pass-1!', 'Second-Pass-2!', 'Third-Pass-3!'];
    const hashes = await Promise.all(passwords.map((p) => single.hash(Password.create(p))));
    const checks = await Promise.all([
      ...passwords.map((p, i) => single.verify(p, hashes[i]!)),
      single.verify(passwords[0]!, hashes[1]!),
      single.verify('nope', 'not a hash' as PasswordHash),
      single.verify(passwords[2]!, hashes[2]!),
    ]);
    expect(checks).toEqual([true, true, true, false, false, true]);
  });

  it('calls Argon2 hashes with weaker parameters outdated', () => {
    expect(hasher.isOutdated('$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA' as PasswordHash)).toBe(true);
    expect(hasher.isOutdated('$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' as PasswordHash)).toBe(true);
  });

  it('answers false, never throws, for hashes it cannot read', async () => {
    for (const stored of ['', 'plain text', '$2b$10$short', '$argon2id$garbage', 'fake$x']) {
      expect(await hasher.verify('anything', stored as PasswordHash)).toBe(false);
    }
  });

  it('fails a verification whose thread stopped, instead of calling the password wrong', async () => {
    const entry = new URL('../../../../test/support/exiting-hashing-thread.js', import.meta.url);
    const stopping = new Argon2PasswordHasher(1, { entry });
    const stored = await hasher.hash(Password.create('Correct-Horse-9'));
    await expect(stopping.verify('exit', stored)).rejects.toThrow('a password hashing thread stopped');
  });

  it('makes its dummy hash again after a failed attempt, instead of failing every unknown email', async () => {
    // A thread body that stops on the first job it ever gets (the flag file), and answers after.
    const flag = join(tmpdir(), `bounded-stop-once-${process.pid}-${Date.now()}`);
    writeFileSync(flag, '');
    const body = `import { existsSync, rmSync } from 'node:fs';
      import { parentPort } from 'node:worker_threads';
      parentPort.on('message', (job) => {
        if (existsSync(${JSON.stringify(flag)})) { rmSync(${JSON.stringify(flag)}); process.exit(3); }
        parentPort.postMessage({ id: job.id, value: 'made' });
      });`;
    const flaky = new Argon2PasswordHasher(1, {
      entry: new URL(`data:text/javascript,${encodeURIComponent(body)}`),
    });
    await expect(flaky.dummyHash()).rejects.toThrow('a password hashing thread stopped (exit code 3)');
    expect(await flaky.dummyHash()).toBe('made');
  });

  it('has one dummy hash, made like a real one, that no password matches', async () => {
    const dummy = await hasher.dummyHash();
    expect(await hasher.dummyHash()).toBe(dummy);
    expect(dummy).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify('', dummy)).toBe(false);
  });
});

describe('CryptoOpaqueTokens', () => {
  const tokens = new CryptoOpaqueTokens();

  it('mints 256-bit base64url tokens, each different, with a hash that is not the token', () => {
    const minted = Array.from({ length: 50 }, () => tokens.mint());
    expect(new Set(minted.map((m) => m.token)).size).toBe(50);
    for (const { token, hash } of minted) {
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(hash).not.toBe(token);
      expect(tokens.hashOf(token)).toBe(hash);
    }
  });

  it.each(['', 'short', `${'a'.repeat(43)}=`, `${'a'.repeat(42)}!`, 'a'.repeat(44)])(
    'answers no hash for %j, which it cannot have made',
    (text) => {
      expect(tokens.hashOf(text)).toBeUndefined();
    },
  );
});
