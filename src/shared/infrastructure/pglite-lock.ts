import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * PGlite runs PostgreSQL inside the process, with nothing to stop a second process from opening
 * the same data folder: the two then overwrite each other's pages and writes are lost without a
 * word (a CLI command while the server runs is the easy mistake). So whoever opens a folder first
 * holds `<folder>/bounded.lock` until it closes the database. The lock names its process: pid,
 * and where the system tells them (Linux), its start time, the host and the boot. A lock whose
 * process is gone (a crash, a kill -9) is taken over, and so is one whose pid now belongs to
 * another process (its start time differs: after a restart, pids come round again) or that
 * predates the machine's last boot. A lock written on another host (another container sharing the
 * volume) cannot be judged from here: it is refused, with the way out in the message.
 */
export const LOCK_FILE = 'bounded.lock';

/** The development JWT secret's file in a PGlite data folder (development-jwt-secret.ts keeps it there). */
export const JWT_SECRET_FILE = 'bounded-jwt-secret';

/**
 * What may sit in a folder that holds no database yet: Bounded's own files (see
 * development-jwt-secret.ts), hidden files (.gitkeep, .DS_Store) and a fresh volume's lost+found.
 */
const isHarmless = (entry: string) =>
  entry === LOCK_FILE || entry === JWT_SECRET_FILE || entry === 'lost+found' || entry.startsWith('.');

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
/** Whether `releaseAllOnExit` listens yet (from the first lock on). */
let releasingOnExit = false;

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
      if (!releasingOnExit) process.on('exit', releaseAllOnExit);
      releasingOnExit = true;
      held.add(path);
      return { release: () => release(path) };
    }
    const owner = await readOwner(path);
    if (owner === 'gone') continue;
    if (owner === 'writing') {
      throw new DataFolderError(`the database folder ${folder} is in use by another process; stop it first`);
    }
    if (owner !== 'abandoned') {
      const state = holderState(owner, path);
      if (state === 'alive') {
        throw new DataFolderError(
          `the database folder ${folder} is in use by process ${owner.pid}; stop it first`,
        );
      }
      if (state === 'foreign') {
        throw new DataFolderError(
          `the database folder ${folder} is locked by process ${owner.pid} on host ${owner.host}; stop it first, or if it is gone delete ${path}`,
        );
      }
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
  if (entries.includes('PG_VERSION') || entries.every(isHarmless)) return;
  throw new DataFolderError(
    `the database folder ${folder} holds other files and no PostgreSQL data (no PG_VERSION); point DATABASE_URL at an empty or new folder`,
  );
}

/** Creates the lock file holding our pid; false when it exists. */
async function create(path: string): Promise<boolean> {
  try {
    await writeFile(path, lockText(myself()), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Who holds a lock: the process, and where known its start time, host and boot. */
interface Holder {
  readonly pid: number;
  readonly started?: string | undefined;
  readonly host?: string | undefined;
  readonly boot?: string | undefined;
}

let me: Holder | undefined;

/**
 * This process, as its lock names it. Read when a folder is first locked, not when this module
 * loads: a process on a PostgreSQL server loads it too, and never locks a folder.
 */
function myself(): Holder {
  me ??= {
    pid: process.pid,
    started: startTimeOf(process.pid),
    host: hostname(),
    boot: firstLine('/proc/sys/kernel/random/boot_id'),
  };
  return me;
}

/** A lock file's text: the pid alone on the first line (what a person looks for), then the rest. */
function lockText(holder: Holder): string {
  const more = (['started', 'host', 'boot'] as const)
    .filter((key) => holder[key] !== undefined)
    .map((key) => `${key} ${holder[key]}\n`);
  return `${holder.pid}\n${more.join('')}`;
}

/**
 * Who a lock file names; `writing` while its creator has yet to write it, `abandoned` when it
 * never did (or it is garbled), `gone` once removed.
 */
type Owner = Holder | 'writing' | 'abandoned' | 'gone';

async function readOwner(path: string): Promise<Owner> {
  try {
    const owner = parseLock(await readFile(path, 'utf8'));
    if (owner !== undefined) return owner;
    const { mtimeMs } = await stat(path);
    return Date.now() - mtimeMs < EMPTY_LOCK_GRACE_MS ? 'writing' : 'abandoned';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function parseLock(text: string): Holder | undefined {
  const [first, ...rest] = text.split('\n');
  if (first === undefined || !/^[1-9]\d{0,9}$/.test(first.trim())) return undefined;
  const field = (key: string) =>
    rest
      .find((line) => line.startsWith(`${key} `))
      ?.slice(key.length + 1)
      .trim() || undefined;
  return { pid: Number(first.trim()), started: field('started'), host: field('host'), boot: field('boot') };
}

function sameHolder(a: Owner, b: Owner): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return lockText(a) === lockText(b);
}

/** Whether a lock's holder still runs: `foreign` when it was written on another host. */
function holderState(holder: Holder, path: string): 'alive' | 'stale' | 'foreign' {
  if (holder.host !== undefined && holder.host !== myself().host) return 'foreign';
  // The machine booted since: nothing of then runs now.
  if (holder.boot !== undefined && myself().boot !== undefined && holder.boot !== myself().boot)
    return 'stale';
  // Our own pid counts only for a lock we hold: in a container a restarted server often gets the
  // pid its crashed predecessor had.
  if (holder.pid === process.pid) return held.has(path) ? 'alive' : 'stale';
  if (!runs(holder.pid)) return 'stale';
  // The pid runs, but is it the same process? Not if it started at another time.
  const started = holder.started === undefined ? undefined : startTimeOf(holder.pid);
  return started !== undefined && started !== holder.started ? 'stale' : 'alive';
}

function runs(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's start time in clock ticks since boot (Linux's /proc/<pid>/stat, field 22), else undefined. */
function startTimeOf(pid: number): string | undefined {
  const stat = firstLine(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may hold spaces: count after its end.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields?.[19];
}

function firstLine(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Removes a stale lock, unless it changed hands since it was read. */
async function removeIfStill(path: string, owner: Owner): Promise<void> {
  if (!sameHolder(await readOwner(path), owner)) return;
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

async function release(path: string): Promise<void> {
  if (!held.delete(path)) return;
  if (!sameHolder(await readOwner(path), myself())) return;
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/**
 * On exit, removes the locks this process still holds (process.exit after a failure, the
 * shutdown timeout), so that none is left for the next process to judge. Only ours: should
 * another process have taken a folder over, its lock stays. Set up with the first lock.
 */
function releaseAllOnExit(): void {
  for (const path of held) {
    try {
      const owner = parseLock(readFileSync(path, 'utf8'));
      if (owner !== undefined && sameHolder(owner, myself())) unlinkSync(path);
    } catch {
      // Already gone, or the folder with it.
    }
  }
}
