import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrationFolders } from '../../src/app.ts';
import { createPGlite, openDatabase } from '../../src/shared/infrastructure/database.ts';
import { migrateToLatest } from '../../src/shared/infrastructure/migrator.ts';
import { adminQuery } from './server-admin.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tarball of a migrated PGlite data folder: each test file loads it in ~0.3 s. */
    pgliteDump: string;
    /** With TEST_DATABASE_URL: a migrated database on the server that tests clone with CREATE DATABASE … TEMPLATE. */
    serverTemplate: string | null;
  }
}

/**
 * Migrates once per test run, then every test file starts from a copy: a PGlite dump, or a
 * template database on the PostgreSQL server when TEST_DATABASE_URL is set.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const run = randomBytes(4).toString('hex');
  const pglite = await createPGlite(undefined);
  const database = await openDatabase({ kind: 'pglite', dataDir: undefined }, { pglite });
  await migrateToLatest(database.db, migrationFolders);
  const dump = join(tmpdir(), `bounded-test-${run}.tar.gz`);
  await writeFile(dump, Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer()));
  await database.close();
  project.provide('pgliteDump', dump);

  const serverUrl = process.env.TEST_DATABASE_URL;
  let template: string | null = null;
  if (serverUrl) {
    template = `bounded_template_${run}`;
    await adminQuery(serverUrl, `create database ${template}`);
    const url = new URL(serverUrl);
    url.pathname = `/${template}`;
    const server = await openDatabase({ kind: 'postgres', url: url.toString() }, { poolSize: 1 });
    await migrateToLatest(server.db, migrationFolders);
    await server.close();
  }
  project.provide('serverTemplate', template);

  return async () => {
    await rm(dump, { force: true });
    if (serverUrl && template)
      await adminQuery(serverUrl, `drop database if exists ${template} with (force)`);
  };
}
