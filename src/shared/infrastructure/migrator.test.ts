import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.ts';
import { migrationFolders } from '../../app.ts';
import { hasPendingMigrations, migrateDown, migrateToLatest, migrationStatus } from './migrator.ts';

type Db = Awaited<ReturnType<typeof openTestDatabase>>;

/** Every column, index and constraint outside the migration bookkeeping, as text to compare. */
async function schemaOf(database: Db): Promise<string[]> {
  const columns = await sql<{ d: string }>`
    select table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
           || ' ' || coalesce(column_default, '') || ' ' || coalesce(datetime_precision::text, '') as d
      from information_schema.columns
     where table_schema not in ('pg_catalog', 'information_schema') and table_name not in ('migrations', 'migration_lock')`.execute(
    database.db,
  );
  const indexes = await sql<{ d: string }>`
    select schemaname || '.' || indexname || ' ' || indexdef as d from pg_indexes
     where schemaname not in ('pg_catalog', 'information_schema') and tablename not in ('migrations', 'migration_lock')`.execute(
    database.db,
  );
  const constraints = await sql<{ d: string }>`
    select n.nspname || '.' || c.conname || ' ' || pg_get_constraintdef(c.oid) as d
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace join pg_class t on t.oid = c.conrelid
     where n.nspname not in ('pg_catalog', 'information_schema') and t.relname not in ('migrations', 'migration_lock')`.execute(
    database.db,
  );
  return [...columns.rows, ...indexes.rows, ...constraints.rows].map((r) => r.d).sort();
}

describe('migrations', () => {
  let database: Db;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.dispose());

  it('go all the way down and up again to the same schema', async () => {
    const migrated = await schemaOf(database);
    expect(migrated.some((line) => line.startsWith('accounts.members.email'))).toBe(true);
    const count = (await migrationStatus(database.db, migrationFolders)).length;
    for (let i = 0; i < count; i += 1) await migrateDown(database.db, migrationFolders);
    expect(
      (await migrationStatus(database.db, migrationFolders)).every((m) => m.executedAt === undefined),
    ).toBe(true);
    expect(await schemaOf(database)).toEqual([]);
    await migrateToLatest(database.db, migrationFolders);
    expect(await schemaOf(database)).toEqual(migrated);
  });

  it('applies nothing when already at the latest', async () => {
    expect(await migrateToLatest(database.db, migrationFolders)).toEqual([]);
  });

  it('tells pending migrations from none with one query, on an empty database too', async () => {
    expect(await hasPendingMigrations(database.db, migrationFolders)).toBe(false);
    await migrateDown(database.db, migrationFolders);
    expect(await hasPendingMigrations(database.db, migrationFolders)).toBe(true);
    for (const _ of await migrationStatus(database.db, migrationFolders)) {
      await migrateDown(database.db, migrationFolders);
    }
    await sql`drop table shared.migrations, shared.migration_lock`.execute(database.db);
    expect(await hasPendingMigrations(database.db, migrationFolders)).toBe(true);
    expect((await migrateToLatest(database.db, migrationFolders)).length).toBeGreaterThan(5);
    expect(await hasPendingMigrations(database.db, migrationFolders)).toBe(false);
  });
});
