import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Kysely, sql } from 'kysely';
import {
  type Migration,
  type MigrationInfo,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
} from 'kysely/migration';
import { sqlState } from './database.ts';

/**
 * Migrations live beside the code they serve: `src/shared/infrastructure/migrations/` for the
 * outbox and id leases, `src/contexts/<name>/infrastructure/migrations/` for each context, each
 * context in its own Postgres schema. The composition root hands this module the list of folders;
 * file names start with a UTC timestamp so the global order is the order they were written.
 */
const MIGRATION_FILE = /^\d{8}_\d{4}_[a-z0-9_]+\.ts$/;

export class FolderMigrationProvider implements MigrationProvider {
  readonly #folders: readonly URL[];

  constructor(folders: readonly URL[]) {
    this.#folders = folders;
  }

  /** The migrations' names, without loading them. */
  async names(): Promise<string[]> {
    return (await this.#files()).map((file) => file.name);
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const { name, url } of await this.#files()) {
      if (name in migrations) throw new Error(`Two migrations are named ${name}`);
      const module = (await import(pathToFileURL(fileURLToPath(url)).href)) as Migration;
      if (typeof module.up !== 'function') throw new Error(`Migration ${name}.ts exports no up()`);
      migrations[name] = module;
    }
    return migrations;
  }

  /** Every migration file, folder by folder, each folder's in name order. */
  async #files(): Promise<{ readonly name: string; readonly url: URL }[]> {
    const files: { name: string; url: URL }[] = [];
    for (const folder of this.#folders) {
      for (const file of (await readdir(folder)).filter((f) => MIGRATION_FILE.test(f)).sort()) {
        files.push({ name: file.slice(0, -'.ts'.length), url: new URL(file, folder) });
      }
    }
    return files;
  }
}

/** Where Kysely keeps the list of applied migrations. */
const MIGRATION_TABLE = { schema: 'shared', name: 'migrations', lock: 'migration_lock' } as const;

export function createMigrator(db: Kysely<unknown>, folders: readonly URL[]): Migrator {
  return new Migrator({
    db,
    provider: new FolderMigrationProvider(folders),
    migrationTableSchema: MIGRATION_TABLE.schema,
    migrationTableName: MIGRATION_TABLE.name,
    migrationLockTableName: MIGRATION_TABLE.lock,
  });
}

export class MigrationError extends Error {}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationError(`Migration ${failed?.migrationName ?? ''} failed: ${cause}`.replace('  ', ' '), {
      cause: result.error,
    });
  }
  return (result.results ?? []).map(
    (r) => `${r.direction === 'Up' ? 'applied' : 'reverted'} ${r.migrationName}`,
  );
}

/**
 * Applies every pending migration (under an advisory lock, so concurrent instances take turns).
 * A database that is already up to date costs one query: the migrator, which loads every
 * migration module and takes the lock, only runs when something is pending.
 */
export async function migrateToLatest(db: Kysely<unknown>, folders: readonly URL[]): Promise<string[]> {
  if (!(await hasPendingMigrations(db, folders))) return [];
  return unwrap(await createMigrator(db, folders).migrateToLatest());
}

/** Reverts the last applied migration. */
export async function migrateDown(db: Kysely<unknown>, folders: readonly URL[]): Promise<string[]> {
  return unwrap(await createMigrator(db, folders).migrateDown());
}

export async function migrationStatus(
  db: Kysely<unknown>,
  folders: readonly URL[],
): Promise<readonly MigrationInfo[]> {
  return createMigrator(db, folders).getMigrations();
}

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_SCHEMA = '3F000';

/** True when a migration file has not been applied (one query, and no migration module loaded). */
export async function hasPendingMigrations(db: Kysely<unknown>, folders: readonly URL[]): Promise<boolean> {
  const names = await new FolderMigrationProvider(folders).names();
  let applied: Set<string>;
  try {
    const { rows } = await sql<{ name: string }>`
      select name from ${sql.table(`${MIGRATION_TABLE.schema}.${MIGRATION_TABLE.name}`)}`.execute(db);
    applied = new Set(rows.map((row) => row.name));
  } catch (error) {
    const state = sqlState(error);
    if (state === UNDEFINED_TABLE || state === UNDEFINED_SCHEMA) return names.length > 0;
    throw error;
  }
  return names.some((name) => !applied.has(name));
}

const TEMPLATE = `import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql\`\`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql\`\`.execute(db);
}
`;

/** Writes a new, empty migration file named `<utc timestamp>_<name>.ts` into `folder`. */
export async function createMigrationFile(
  folder: URL,
  name: string,
  now: Date = new Date(),
): Promise<string> {
  if (!/^[a-z0-9_]{1,60}$/.test(name)) {
    throw new MigrationError('A migration name is 1-60 characters of a-z, 0-9 and _');
  }
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  const file = `${stamp.slice(0, 8)}_${stamp.slice(8, 12)}_${name}.ts`;
  await mkdir(folder, { recursive: true });
  const path = fileURLToPath(new URL(file, folder));
  await writeFile(path, TEMPLATE, { flag: 'wx' });
  return path;
}
