import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import {
  createPGlite,
  type Database,
  type DatabaseTarget,
  openDatabase,
} from '../../src/shared/infrastructure/database.ts';
import { adminQuery } from './server-admin.ts';

/** Which database the suite runs against: PGlite unless TEST_DATABASE_URL names a server. */
export const onServer = process.env.TEST_DATABASE_URL !== undefined && process.env.TEST_DATABASE_URL !== '';

export interface TestDatabase {
  /** For buildApp: a database URL, and the opened PGlite when on PGlite. */
  readonly url: string;
  readonly target: DatabaseTarget;
  readonly pglite: PGlite | undefined;
  /** Drops the database (server) or closes PGlite. Call after the app using it is closed. */
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database of its own: a PGlite loaded from the run's dump, or a copy of the
 * run's template database on the server. Tests never share one, so they never see each other's rows.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `bounded_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(serverUrl, `create database ${name} template ${inject('serverTemplate')}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      target: { kind: 'postgres', url: url.toString() },
      pglite: undefined,
      dispose: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
    };
  }
  const dump = new Blob([await readFile(inject('pgliteDump'))]);
  const pglite = await createPGlite(undefined, dump);
  return {
    url: 'memory://',
    target: { kind: 'pglite', dataDir: undefined },
    pglite,
    dispose: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** Opens a Kysely handle on a fresh database, for repository and read-model tests. */
export async function openTestDatabase(): Promise<Database<unknown> & { dispose(): Promise<void> }> {
  const fresh = await freshDatabase();
  const database = await openDatabase<unknown>(fresh.target, {
    poolSize: 10,
    ...(fresh.pglite ? { pglite: fresh.pglite } : {}),
  });
  return {
    ...database,
    async close() {
      await database.close();
    },
    async dispose() {
      await database.close();
      await fresh.dispose();
    },
  };
}
