import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase } from '../../../../../test/support/database.ts';
import { down, up } from './20261130_1900_catalog_book_author_refs.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.dispose());

/** The catalog schema's columns and indexes, as text to compare. */
async function catalogSchema(): Promise<string[]> {
  const { rows } = await sql<{ d: string }>`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' ||
           coalesce(column_default, '') as d
      from information_schema.columns where table_schema = 'catalog'
    union all
    select indexname || ' ' || indexdef from pg_indexes where schemaname = 'catalog'`.execute(database.db);
  return rows.map((row) => row.d).sort();
}

it("goes down and up again to the same schema, giving the books stored before it their authors' names", async () => {
  const { db } = database;
  const migrated = await catalogSchema();
  expect(migrated).toContain("books.author_refs jsonb NO '[]'::jsonb");

  await down(db);
  expect(await catalogSchema()).toEqual(migrated.filter((line) => !line.startsWith('books.author_refs')));
  // Books as they were stored before the migration: one naming two authors (in that order), one none.
  await sql`
    insert into catalog.authors (id, first_name, last_name, age, created_at, updated_at, version)
    values (71, 'Ada', 'First', 40, now(), now(), 3), (72, 'Bea', 'Second', 50, now(), now(), 1)`.execute(db);
  await sql`
    insert into catalog.books (id, title, isbn, pages, price_amount, price_currency, publication_year,
                               author_ids, created_at, updated_at, version)
    values (81, 'Two Authors', '9780000000002', 10, 100, 'KRW', 2000, '{72,71}', now(), now(), 3),
           (82, 'No Author', '9780000000019', 10, 100, 'KRW', 2000, '{}', now(), now(), 1)`.execute(db);

  await up(db);
  expect(await catalogSchema()).toEqual(migrated);
  const { rows } = await sql<{ id: string; author_refs: unknown }>`
    select id, author_refs from catalog.books where id in (81, 82) order by id`.execute(db);
  expect(rows).toEqual([
    {
      id: '81',
      author_refs: [
        { id: '72', name: 'Bea Second', version: 1 },
        { id: '71', name: 'Ada First', version: 3 },
      ],
    },
    { id: '82', author_refs: [] },
  ]);
});
