import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminQuery } from './server-admin.ts';

/**
 * A database no migration touched yet, that outlives the apps and processes opened on it: a
 * new folder for PGlite, a new database on the server (TEST_DATABASE_URL). `dispose` removes it.
 */
export async function emptyDatabase(): Promise<{ readonly url: string; dispose(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL || undefined;
  if (serverUrl) {
    const name = `bounded_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(serverUrl, `create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      dispose: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
    };
  }
  const folder = await mkdtemp(join(tmpdir(), 'bounded-db-'));
  return {
    url: `pglite://${join(folder, 'db')}`,
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
}
