import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentJwtSecret } from './development-jwt-secret.ts';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'bounded-secret-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('the development JWT secret', () => {
  it('is made once per PGlite data folder, kept owner-only inside it, and read back on the next start', async () => {
    const target = { kind: 'pglite' as const, dataDir: join(folder, 'data') };
    const first = await developmentJwtSecret(target, { persist: true });
    expect(first.file).toBe(join(folder, 'data', 'bounded-jwt-secret'));
    expect(Buffer.from(first.secret, 'base64url').length).toBe(48);
    expect((await stat(first.file!)).mode & 0o777).toBe(0o600);
    const second = await developmentJwtSecret(target, { persist: true });
    expect(second.secret).toBe(first.secret);
  });

  it('is kept in .data/ under the working directory for a PostgreSQL server', async () => {
    const target = { kind: 'postgres' as const, url: 'postgres://db/bounded' };
    const made = await developmentJwtSecret(target, { persist: true, cwd: folder });
    expect(made.file).toBe(join(folder, '.data', 'bounded-jwt-secret'));
    expect((await readFile(made.file!, 'utf8')).trim()).toBe(made.secret);
  });

  it('replaces a kept secret that is too short to be one of ours', async () => {
    const dataDir = join(folder, 'tampered');
    const target = { kind: 'pglite' as const, dataDir };
    const made = await developmentJwtSecret(target, { persist: true });
    await writeFile(made.file!, 'short\n');
    const again = await developmentJwtSecret(target, { persist: true });
    expect(again.secret).not.toBe('short');
    expect(again.secret.length).toBeGreaterThanOrEqual(43);
  });

  it('lives only as long as the process for memory:// and when not persisting (tests)', async () => {
    const memory = await developmentJwtSecret({ kind: 'pglite', dataDir: undefined }, { persist: true });
    const test = await developmentJwtSecret(
      { kind: 'pglite', dataDir: join(folder, 'x') },
      { persist: false },
    );
    expect(memory.file).toBeUndefined();
    expect(test.file).toBeUndefined();
    expect(memory.secret).not.toBe(test.secret);
  });
});
