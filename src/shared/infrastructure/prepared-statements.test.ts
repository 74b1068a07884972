import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onServer, type TestDatabase } from '../../../test/support/database.ts';
import { type Database, openDatabase } from './database.ts';
import { firstPrepared, prepared } from './prepared-statements.ts';

const value = (db: Kysely<unknown>, text: string, n: number) =>
  firstPrepared(db, db.selectNoFrom(sql<number>`${sql.raw(text)} + ${n}::int`.as('n')));

describe('prepared statements', () => {
  it('marks a statement once, and leaves its SQL otherwise as it was', () => {
    const query = { sql: 'select 1', parameters: [], query: {} as never, queryId: {} as never };
    expect(prepared(prepared(query)).sql).toBe('/* prepared */ select 1');
  });

  describe.runIf(onServer)('on the PostgreSQL server (one connection, to see its session)', () => {
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
      on = await openDatabase(fresh.target, { poolSize: 1 });
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

    it('keeps at most 100 per connection, and still answers the ones past that, unprepared', async () => {
      for (let i = 0; i < 120; i += 1)
        expect(await value(on.db, String(1000 + i), 1)).toEqual({ n: 1001 + i });
      expect(await preparedHere(on.db)).toHaveLength(100);
    });

    it('prepares nothing with DATABASE_PREPARED_STATEMENTS=false', async () => {
      expect(await value(off.db, '1', 1)).toEqual({ n: 2 });
      expect(await preparedHere(off.db)).toEqual([]);
    });
  });
});
