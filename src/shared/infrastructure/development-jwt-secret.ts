import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DatabaseTarget } from './database.ts';
import { JWT_SECRET_FILE } from './pglite-lock.ts';

export interface DevelopmentSecret {
  readonly secret: string;
  /** The file it is kept in, or undefined when it lives only as long as the process. */
  readonly file: string | undefined;
}

/**
 * The JWT signing secret when JWT_SECRET is not set (development and tests only: production
 * refuses to start without one). It is kept beside the data its tokens refer to, so that
 * signed-in sessions survive a restart and a fresh data folder starts with a fresh secret:
 *
 * - `pglite://<folder>`: in `<folder>/bounded-jwt-secret` (PostgreSQL ignores foreign files there);
 * - `postgres://…`: in `.data/bounded-jwt-secret` under the working directory (git-ignored);
 * - `memory://`, and every test: a new secret per process, since the data dies with the process.
 */
export async function developmentJwtSecret(
  target: DatabaseTarget,
  options: { readonly persist: boolean; readonly cwd?: string },
): Promise<DevelopmentSecret> {
  const file =
    !options.persist || (target.kind === 'pglite' && target.dataDir === undefined)
      ? undefined
      : target.kind === 'pglite'
        ? join(target.dataDir!, JWT_SECRET_FILE)
        : join(options.cwd ?? process.cwd(), '.data', JWT_SECRET_FILE);
  if (file === undefined) return { secret: newSecret(), file };
  const kept = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  if (kept !== undefined && kept.length >= 43) return { secret: kept, file };
  const secret = newSecret();
  await mkdir(dirname(file), { recursive: true });
  // Owner-only: the file signs tokens for every member of this database.
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, file };
}

function newSecret(): string {
  return randomBytes(48).toString('base64url');
}
