import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase } from '../../../../../test/support/database.ts';
import { down, up } from './20261130_1400_projects_departed_owners.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.dispose());

/** The projects schema's columns, indexes, constraints and functions, as text to compare. */
async function projectsSchema(): Promise<string[]> {
  const { rows } = await sql<{ d: string }>`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable as d
      from information_schema.columns where table_schema = 'projects'
    union all
    select indexname || ' ' || indexdef from pg_indexes where schemaname = 'projects'
    union all
    select c.conname || ' ' || pg_get_constraintdef(c.oid)
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'projects'
    union all
    select pg_get_functiondef(p.oid)
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'projects'`.execute(
    database.db,
  );
  return rows.map((row) => row.d).sort();
}

const departedAt = async (member: number) =>
  (
    await sql<{ at: Date }>`
      select departed_at as at from projects.departed_owners where member_id = ${member}`.execute(database.db)
  ).rows.map((row) => row.at.toISOString());

it('records a departure once, keeping the first time, and answers whether a member departed', async () => {
  const { db } = database;
  await sql`select projects.record_departure(7, '2026-11-30T10:00:00Z')`.execute(db);
  await sql`select projects.record_departure(7, '2026-11-30T11:00:00Z')`.execute(db);
  expect(await departedAt(7)).toEqual(['2026-11-30T10:00:00.000Z']);
  const { rows } = await sql<{ seven: boolean; eight: boolean }>`
    select projects.owner_departed(7) as seven, projects.owner_departed(8) as eight`.execute(db);
  expect(rows).toEqual([{ seven: true, eight: false }]);
});

it('goes down, taking the table and its two functions, and up again to the same schema', async () => {
  const { db } = database;
  const migrated = await projectsSchema();
  expect(migrated.filter((line) => line.startsWith('departed_owners.'))).toEqual([
    'departed_owners.departed_at timestamp with time zone NO',
    'departed_owners.member_id bigint NO',
  ]);
  expect(migrated.filter((line) => line.includes('FUNCTION projects.'))).toHaveLength(2);

  await down(db);
  const without = await projectsSchema();
  expect(without.filter((line) => line.includes('departed'))).toEqual([]);
  // The projects and their tasks are untouched.
  expect(without).toEqual(migrated.filter((line) => !line.includes('departed')));

  await up(db);
  expect(await projectsSchema()).toEqual(migrated);
});
