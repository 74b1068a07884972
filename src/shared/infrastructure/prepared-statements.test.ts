import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onServer, type TestDatabase } from '../../../test/support/database.ts';
import { type Database, openDatabase } from './database.ts';
import { everyColumn, prepared, preparedIfRoom } from './prepared-statements.ts';

const plusOne = (db: Kysely<unknown>, text: string, n: number) =>
  db.selectNoFrom(sql<number>`${sql.raw(text)} + ${n}::int`.as('n')).compile();
const value = async (db: Kysely<unknown>, text: string, n: number) =>
  (await db.executeQuery(prepared(plusOne(db, text, n)))).rows[0];
const varying = async (db: Kysely<unknown>, text: string, n: number) =>
  (await db.executeQuery(preparedIfRoom(plusOne(db, text, n)))).rows[0];

describe('everyColumn', () => {
  interface Row {
    id: string;
    name: string;
    version: number;
  }

  it('answers the columns named, and refuses (at type-check) a list that leaves one out', () => {
    expect(everyColumn<Row>()('id', 'name', 'version')).toEqual(['id', 'name', 'version']);
    // @ts-expect-error 'version' is missing: `npm run check` fails if this ever compiles.
    expect(everyColumn<Row>()('id', 'name')).toEqual(['id', 'name']);
  });
});

describe('prepared statements', () => {
  it('marks a statement once, and leaves its SQL otherwise as it was', () => {
    const query = { sql: 'select 1', parameters: [], query: {} as never, queryId: {} as never };
    expect(prepared(prepared(query)).sql).toBe('/* prepared */ select 1');
    expect(preparedIfRoom(prepared(query)).sql).toBe('/* prepared */ select 1');
  });

  describe.runIf(onServer)(
    'on the PostgreSQL server (one connection and no pipeline, to see its session)',
    () => {
      let fresh: TestDatabase;
      let on: Database<unknown>;
      let off: Database<unknown>;
      const preparedHere = async (db: Kysely<unknown>) =>
        (
          await sql<{
            statement: string;
          }>`select statement from pg_prepared_statements order by prepare_time`.execute(db)
        ).rows.map((row) => row.statement);

      beforeAll(async () => {
        fresh = await freshDatabase();
        on = await openDatabase(fresh.target, { poolSize: 1, pipelineConnections: 0 });
        off = await openDatabase(fresh.target, { poolSize: 1, preparedStatements: false });
      });
      afterAll(async () => {
        await on.close();
        await off.close();
        await fresh.dispose();
      });

      it('prepares a marked statement once per connection and runs it by name after', async () => {
        expect(await value(on.db, '1', 1)).toEqual({ n: 2 });
        expect(await value(on.db, '1', 41)).toEqual({ n: 42 });
        await sql`select 2`.execute(on.db); // unmarked: sent unnamed, as pg does by default
        expect(await preparedHere(on.db)).toEqual(['/* prepared */ select 1 + $1::int as "n"']);
      });

      it('keeps at most 100 statements of varying text per connection, and always room for the fixed ones', async () => {
        for (let i = 0; i < 120; i += 1)
          expect(await varying(on.db, String(1000 + i), 1)).toEqual({ n: 1001 + i });
        expect(await value(on.db, '7', 1)).toEqual({ n: 8 });
        const statements = await preparedHere(on.db);
        expect(statements.filter((s) => s.startsWith('/* prepared if room */'))).toHaveLength(100);
        expect(statements.filter((s) => s.startsWith('/* prepared */'))).toEqual([
          '/* prepared */ select 1 + $1::int as "n"',
          '/* prepared */ select 7 + $1::int as "n"',
        ]);
      });

      it('gives up a connection whose prepared statement the server refuses, and answers on a new one', async () => {
        await sql`create table public.prepared_probe (a int)`.execute(on.db);
        const probe = () =>
          on.db.executeQuery(prepared(sql`select * from public.prepared_probe`.compile(on.db)));
        await probe();
        await sql`alter table public.prepared_probe add column b int`.execute(on.db);
        // The plan of a prepared SELECT * no longer fits: 0A000, "cached plan must not change result type".
        await expect(probe()).rejects.toMatchObject({ code: '0A000' });
        expect((await probe()).rows).toEqual([]);
      });

      it('prepares nothing with DATABASE_PREPARED_STATEMENTS=false', async () => {
        expect(await value(off.db, '1', 1)).toEqual({ n: 2 });
        expect(await preparedHere(off.db)).toEqual([]);
      });
    },
  );
});
