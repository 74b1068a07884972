import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPGlite, openDatabase } from './database.ts';
import { DataFolderError, LOCK_FILE, lockDataFolder } from './pglite-lock.ts';

describe('the PGlite data folder lock', () => {
  let root: string;
  let count = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bounded-lock-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const newFolder = () => {
    count += 1;
    return join(root, `db${count}`);
  };
  const lockText = (folder: string) => readFile(join(folder, LOCK_FILE), 'utf8');

  /** The pid of a process that has exited: nothing runs under it now. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    return child.pid!;
  }

  it('holds the folder for this process, refuses a second holder, and is gone once released', async () => {
    const folder = newFolder();
    const lock = await lockDataFolder(folder);
    expect(await lockText(folder)).toBe(`${process.pid}\n`);
    const second = lockDataFolder(folder);
    await expect(second).rejects.toThrow(DataFolderError);
    await expect(second).rejects.toThrow(
      `the database folder ${folder} is in use by process ${process.pid}; stop it first`,
    );
    await lock.release();
    await lock.release();
    expect(await readdir(folder)).toEqual([]);
    await (await lockDataFolder(folder)).release();
  });

  it('refuses a folder whose lock names another running process', async () => {
    const folder = newFolder();
    await mkdir(folder);
    await writeFile(join(folder, LOCK_FILE), `${process.ppid}\n`);
    await expect(lockDataFolder(folder)).rejects.toThrow(`is in use by process ${process.ppid}`);
    expect(await lockText(folder)).toBe(`${process.ppid}\n`);
  });

  it('takes over a lock whose process is gone, or names this process without it holding it', async () => {
    for (const stale of [await deadPid(), process.pid]) {
      const folder = newFolder();
      await mkdir(folder);
      await writeFile(join(folder, LOCK_FILE), `${stale}\n`);
      const lock = await lockDataFolder(folder);
      expect(await lockText(folder)).toBe(`${process.pid}\n`);
      await lock.release();
    }
  });

  it('waits for a lock still being written, and takes over one left empty for long', async () => {
    const folder = newFolder();
    await mkdir(folder);
    await writeFile(join(folder, LOCK_FILE), '');
    await expect(lockDataFolder(folder)).rejects.toThrow('is in use by another process; stop it first');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(join(folder, LOCK_FILE), longAgo, longAgo);
    await (await lockDataFolder(folder)).release();
  });

  it('makes a missing folder, and takes an empty one or one with only its own files', async () => {
    const nested = join(newFolder(), 'a', 'b');
    await (await lockDataFolder(nested)).release();
    const ours = newFolder();
    await mkdir(ours);
    await writeFile(join(ours, 'bounded-jwt-secret'), 'x');
    await (await lockDataFolder(ours)).release();
  });

  it('refuses a file, and a folder of other things than PostgreSQL data, leaving them as they were', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'not a folder');
    await expect(lockDataFolder(file)).rejects.toThrow(
      `the database folder ${file} is not a folder; check DATABASE_URL`,
    );
    const junk = newFolder();
    await mkdir(junk);
    await writeFile(join(junk, 'notes.txt'), 'mine');
    await expect(lockDataFolder(junk)).rejects.toThrow(
      `the database folder ${junk} holds other files and no PostgreSQL data (no PG_VERSION); point DATABASE_URL at an empty or new folder`,
    );
    expect(await readdir(junk)).toEqual(['notes.txt']);
  });

  it('is taken by createPGlite on a folder, and released when the database closes', async () => {
    const folder = newFolder();
    const database = await openDatabase({ kind: 'pglite', dataDir: folder });
    expect(await lockText(folder)).toBe(`${process.pid}\n`);
    await expect(createPGlite(folder)).rejects.toThrow(`is in use by process ${process.pid}`);
    await database.close();
    expect(await readdir(folder)).not.toContain(LOCK_FILE);
    expect(await readdir(folder)).toContain('PG_VERSION');
    // Reopened in sequence, as the CLI's commands and the tests do.
    const again = await createPGlite(folder);
    await again.close();
    expect(await readdir(folder)).not.toContain(LOCK_FILE);
  });
});
