import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
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
  /** The pid a lock names: its first line. */
  const lockPid = async (folder: string) => (await lockText(folder)).split('\n')[0];
  /** A field of a lock (`started`, `host`, `boot`), as this process writes them. */
  const field = (text: string, key: string) =>
    text
      .split('\n')
      .find((line) => line.startsWith(`${key} `))
      ?.slice(key.length + 1);

  /** The pid of a process that has exited: nothing runs under it now. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    return child.pid!;
  }

  it('holds the folder for this process, refuses a second holder, and is gone once released', async () => {
    const folder = newFolder();
    const lock = await lockDataFolder(folder);
    expect(await lockPid(folder)).toBe(String(process.pid));
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
      expect(await lockPid(folder)).toBe(String(process.pid));
      await lock.release();
    }
  });

  it('names its holder by start time, host and boot, and judges another lock by them', async () => {
    const mine = newFolder();
    const lock = await lockDataFolder(mine);
    const text = await lockText(mine);
    await lock.release();
    const [host, boot] = [field(text, 'host'), field(text, 'boot')];
    expect(host).toBe(hostname());
    const write = async (lines: string[]) => {
      const folder = newFolder();
      await mkdir(folder);
      await writeFile(join(folder, LOCK_FILE), `${lines.join('\n')}\n`);
      return folder;
    };
    // A running pid with another start time is another process: its pid was reused.
    const reused = await write([String(process.ppid), 'started 1', `host ${host}`]);
    await (await lockDataFolder(reused)).release();
    // A lock from before the last boot.
    if (boot !== undefined) {
      const beforeBoot = await write([String(process.ppid), `host ${host}`, 'boot another-boot']);
      await (await lockDataFolder(beforeBoot)).release();
    }
    // The same process still running: refused.
    const parent = await write([String(process.ppid), `host ${host}`, ...(boot ? [`boot ${boot}`] : [])]);
    await expect(lockDataFolder(parent)).rejects.toThrow(`is in use by process ${process.ppid}`);
    // Another host's pids mean nothing here: refused, saying how to clear it if it is gone.
    const foreign = await write([String(process.pid), 'host some-other-container']);
    await expect(lockDataFolder(foreign)).rejects.toThrow(
      `is locked by process ${process.pid} on host some-other-container; stop it first, or if it is gone delete ${join(foreign, LOCK_FILE)}`,
    );
  });

  it('leaves a lock that another process took over when this one exits', async () => {
    const folder = newFolder();
    const script = `
      import { writeFileSync } from 'node:fs';
      import { lockDataFolder } from ${JSON.stringify(new URL('./pglite-lock.ts', import.meta.url).href)};
      await lockDataFolder(${JSON.stringify(folder)});
      if (process.argv.at(-1) === 'taken') writeFileSync(${JSON.stringify(join(folder, LOCK_FILE))}, '1\\n');
      process.exit(0);`;
    for (const [how, left] of [
      ['kept', []],
      ['taken', [LOCK_FILE]],
    ] as const) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, how]);
      await once(child, 'exit');
      expect(await readdir(folder), how).toEqual(left);
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
    // A fresh volume's lost+found, and hidden files such as .gitkeep.
    const volume = newFolder();
    await mkdir(join(volume, 'lost+found'), { recursive: true });
    await writeFile(join(volume, '.gitkeep'), '');
    await (await lockDataFolder(volume)).release();
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
    expect(await lockPid(folder)).toBe(String(process.pid));
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
