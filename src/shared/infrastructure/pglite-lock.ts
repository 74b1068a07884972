import { unlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * PGlite runs PostgreSQL inside the process, with nothing to stop a second process from opening
 * the same data folder: the two then overwrite each other's pages and writes are lost without a
 * word (a CLI command while the server runs is the easy mistake). So whoever opens a folder first
 * holds `<folder>/bounded.lock`, which names its process, until it closes the database; a lock
 * whose process is gone (a crash, a kill -9) is taken over.
 */
export const LOCK_FILE = 'bounded.lock';

/** The files Bounded itself keeps in a data folder (see development-jwt-secret.ts). */
const OUR_FILES = new Set([LOCK_FILE, 'bounded-jwt-secret']);

/** A lock written this long ago and still empty was left by a process that died while writing it. */
const EMPTY_LOCK_GRACE_MS = 10_000;

/** A data folder that cannot be used: in use, not a folder, or holding something else. */
export class DataFolderError extends Error {}

export interface DataFolderLock {
  /** Removes the lock file, if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** Lock files held by this process, by path: its pid in a lock is only ours if we hold it. */
const held = new Set<string>();

/**
 * Checks that `dataDir` can hold a PGlite database (creating it when missing) and locks it for
 * this process; throws DataFolderError, in one line, when it cannot.
 */
export async function lockDataFolder(dataDir: string): Promise<DataFolderLock> {
  const folder = resolve(dataDir);
  await prepareFolder(folder);
  const path = join(folder, LOCK_FILE);
  // A stale lock is removed and the creation tried again; another process may win that race.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await create(path)) {
      held.add(path);
      return { release: () => release(path) };
    }
    const owner = await readOwner(path);
    if (owner === 'gone') continue;
    if (owner === 'writing' || (owner !== 'abandoned' && isAlive(owner, path))) {
      const who = owner === 'writing' ? 'another process' : `process ${owner}`;
      throw new DataFolderError(`the database folder ${folder} is in use by ${who}; stop it first`);
    }
    await removeIfStill(path, owner);
  }
  throw new DataFolderError(`the database folder ${folder} could not be locked; try again`);
}

/** Makes a missing folder; refuses a file, or a folder of other things than a PostgreSQL data folder. */
async function prepareFolder(folder: string): Promise<void> {
  const found = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (found === undefined) {
    await mkdir(folder, { recursive: true });
    return;
  }
  if (!found.isDirectory()) {
    throw new DataFolderError(`the database folder ${folder} is not a folder; check DATABASE_URL`);
  }
  const entries = await readdir(folder);
  if (entries.includes('PG_VERSION') || entries.every((entry) => OUR_FILES.has(entry))) return;
  throw new DataFolderError(
    `the database folder ${folder} holds other files and no PostgreSQL data (no PG_VERSION); point DATABASE_URL at an empty or new folder`,
  );
}

/** Creates the lock file holding our pid; false when it exists. */
async function create(path: string): Promise<boolean> {
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * The pid a lock file names; `writing` while its creator has yet to write it, `abandoned` when
 * it never did (or it is garbled), `gone` once removed.
 */
type Owner = number | 'writing' | 'abandoned' | 'gone';

async function readOwner(path: string): Promise<Owner> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (/^[1-9]\d{0,9}$/.test(text)) return Number(text);
    const { mtimeMs } = await stat(path);
    return Date.now() - mtimeMs < EMPTY_LOCK_GRACE_MS ? 'writing' : 'abandoned';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

/**
 * Whether the process a lock names still runs. Our own pid counts only for a lock we hold: in a
 * container a restarted server often gets the pid its crashed predecessor had.
 */
function isAlive(pid: number, path: string): boolean {
  if (pid === process.pid) return held.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a stale lock, unless it changed hands since it was read. */
async function removeIfStill(path: string, owner: Owner): Promise<void> {
  if ((await readOwner(path)) !== owner) return;
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

async function release(path: string): Promise<void> {
  if (!held.delete(path)) return;
  if ((await readOwner(path)) !== process.pid) return;
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

// A process that exits without closing its database (process.exit after a failure, the shutdown
// timeout) leaves no lock behind for the next one to judge.
process.on('exit', () => {
  for (const path of held) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone, or the folder with it.
    }
  }
});
