import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onServer, type TestDatabase } from '../../../test/support/database.ts';
import { type Database, openDatabase } from './database.ts';
import { LookupPipeline } from './lookup-pipeline.ts';
import { prepared, preparedSearch, preparedWrite } from './prepared-statements.ts';

/** A fixed-shape lookup: `select <n> / $1` (a zero divides by zero, to make one fail). */
const quotient = async (db: Kysely<unknown>, n: number, by: number) =>
  (
    await db.executeQuery(
      prepared(db.selectNoFrom(sql<number>`${sql.raw(String(n))} / ${by}::int`.as('q')).compile()),
    )
  ).rows[0];
const probeCount = (db: Kysely<unknown>) =>
  db.executeQuery(prepared(sql<{ n: string }>`select count(*) as n from public.pipeline_probe`.compile(db)));
/** The server processes that ran a lookup of this test, other than the caller's own. */
const lanesOnServer = async (db: Kysely<unknown>) =>
  (
    await sql<{ pid: number }>`select pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query like '/* prepared */ select %'`.execute(
      db,
    )
  ).rows.map((row) => row.pid);
/** A setting of the session a statement with that mark runs on (a lane's, the pool's, a transaction's). */
const sessionSetting = async (on: Kysely<unknown>, mark: typeof prepared, name: string) =>
  (await on.executeQuery(mark(sql<{ value: string }>`select current_setting(${name}) as value`.compile(on))))
    .rows[0]?.value;
const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
  ]);

describe.runIf(onServer)('lookup pipeline (PostgreSQL server)', () => {
  let fresh: TestDatabase;
  let database: Database<unknown>;
  let db: Kysely<unknown>;

  beforeAll(async () => {
    fresh = await freshDatabase();
    // One pooled connection: a lookup that needed the pool would wait for it.
    database = await openDatabase(fresh.target, { poolSize: 1, pipelineConnections: 2 });
    db = database.db;
    await sql`create table public.pipeline_probe (id int)`.execute(db);
  });
  afterAll(async () => {
    await database.close();
    await fresh.dispose();
  });

  it('answers lookups outside a transaction while the pool is held, and runs those inside it in the transaction', async () => {
    const trx = await db.startTransaction().execute();
    try {
      await sql`insert into public.pipeline_probe values (1)`.execute(trx);
      // Outside: on the pipeline, not waiting for the pool's only connection, not seeing the insert.
      expect((await within(2000, probeCount(db))).rows).toEqual([{ n: '0' }]);
      expect(await within(2000, quotient(db, 84, 2))).toEqual({ q: 42 });
      // Inside: on the transaction's connection, seeing its own insert.
      expect((await probeCount(trx)).rows).toEqual([{ n: '1' }]);
    } finally {
      await trx.rollback().execute();
    }
  });

  it('gives each of many concurrent lookups its own answer, over at most the configured connections', async () => {
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => quotient(db, i * 7, 7)));
    expect(answers).toEqual(Array.from({ length: 300 }, (_, i) => ({ q: i })));
    const lanes = await lanesOnServer(db);
    expect(lanes.length).toBeGreaterThanOrEqual(1);
    expect(lanes.length).toBeLessThanOrEqual(2);
  });

  it('runs searches on lanes of their own, with generic plans; a slow search holds up no lookup', async () => {
    const planMode = (on: Kysely<unknown>, mark: typeof prepared) =>
      sessionSetting(on, mark, 'plan_cache_mode');
    expect(await planMode(db, preparedSearch)).toBe('force_generic_plan');
    expect(await planMode(db, prepared)).toBe('auto');
    // In a transaction a search runs in it, as any statement: pooled, unnamed, planned as usual.
    await db.transaction().execute(async (trx) => {
      expect(await planMode(trx, preparedSearch)).toBe('auto');
    });

    // More slow searches than there are lanes of any kind: were they on the lookup lanes, the
    // lookups below would wait a second behind them.
    const slow = Array.from({ length: 4 }, () =>
      db.executeQuery(preparedSearch(sql<{ slept: string }>`select pg_sleep(1)::text as slept`.compile(db))),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await within(500, Promise.all([quotient(db, 84, 2), quotient(db, 9, 3)]))).toEqual([
      { q: 42 },
      { q: 3 },
    ]);
    expect((await Promise.all(slow)).map((result) => result.rows)).toEqual(
      Array.from({ length: 4 }, () => [{ slept: '' }]),
    );
  });

  it('runs a search written as a WITH query on the search lanes, unless a part of it writes', async () => {
    const planModeOf = async (text: string) =>
      (await db.executeQuery(preparedSearch(sql<{ value: string }>`${sql.raw(text)}`.compile(db)))).rows[0]
        ?.value;
    expect(
      await planModeOf(`with s as (select current_setting('plan_cache_mode') as value) select value from s`),
    ).toBe('force_generic_plan');
    // A data-modifying CTE may wait on a row lock: it goes to the pool, never a lane.
    expect(
      await planModeOf(
        `with w as (delete from public.pipeline_probe where false returning id)
         select current_setting('plan_cache_mode') as value from (select 1) one left join w on true`,
      ),
    ).toBe('auto');
  });

  it("keeps the connection string's own session options on the search lanes", async () => {
    if (fresh.target.kind !== 'postgres') throw new Error('a server test');
    const url = new URL(fresh.target.url);
    url.searchParams.set('options', '-c statement_timeout=12345');
    const withOptions = await openDatabase({ kind: 'postgres', url: url.toString() }, { poolSize: 1 });
    try {
      const settings = sql<{
        mode: string;
        timeout: string;
      }>`select current_setting('plan_cache_mode') as mode, current_setting('statement_timeout') as timeout`;
      const onLane = await withOptions.db.executeQuery(preparedSearch(settings.compile(withOptions.db)));
      expect(onLane.rows).toEqual([{ mode: 'force_generic_plan', timeout: '12345ms' }]);
      const onPool = await settings.execute(withOptions.db);
      expect(onPool.rows).toEqual([{ mode: 'auto', timeout: '12345ms' }]);
    } finally {
      await withOptions.close();
    }
  });

  it('fails only the lookup that failed, not those sent with it', async () => {
    const results = await Promise.allSettled([
      quotient(db, 10, 1),
      quotient(db, 10, 0),
      quotient(db, 10, 2),
      quotient(db, 10, 5),
    ]);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as { code: string }).code)),
    ).toEqual([{ q: 10 }, '22012', { q: 5 }, { q: 2 }]);
  });

  it('replaces a connection that ends under it', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => quotient(db, i, 1)));
    const before = await lanesOnServer(db);
    expect(before.length).toBeGreaterThan(0);
    await sql`select pg_terminate_backend(pid) from unnest(${before}::int[]) as pid`.execute(db);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the lanes hear of it and retire
    expect(await within(2000, quotient(db, 9, 3))).toEqual({ q: 3 });
    const after = await lanesOnServer(db);
    expect(after.length).toBeGreaterThan(0);
    expect(after.some((pid) => before.includes(pid))).toBe(false);
  });

  it('sends a lookup with a locking clause through the pool, never a lane', async () => {
    const trx = await db.startTransaction().execute();
    let answered = false;
    const locking = db.executeQuery(prepared(sql`select 1 as one for share`.compile(db))).then((result) => {
      answered = true;
      return result.rows;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false); // waiting for the pool's only connection
    } finally {
      await trx.rollback().execute();
    }
    expect(await locking).toEqual([{ one: 1 }]);
  });

  it('answers after a transaction whose connection died could not even roll back', async () => {
    const other = await openDatabase(fresh.target, { poolSize: 1, pipelineConnections: 0 });
    try {
      for (let round = 0; round < 2; round += 1) {
        const trx = await db.startTransaction().execute();
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(other.db);
        // The connection dies while no statement runs on it: its error must not end the process.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await expect(sql`select 1`.execute(trx)).rejects.toThrow();
        await expect(trx.rollback().execute()).rejects.toThrow();
        // Kysely gave that connection up; the next checkouts must not inherit its state.
        for (let i = 0; i < 3; i += 1)
          expect((await sql<{ n: number }>`select ${i}::int as n`.execute(db)).rows).toEqual([{ n: i }]);
      }
    } finally {
      await other.close();
    }
  });

  it('replaces a connection whose prepared statement the server refuses', async () => {
    await sql`create table public.pipeline_columns (a int)`.execute(db);
    const probe = () => db.executeQuery(prepared(sql`select * from public.pipeline_columns`.compile(db)));
    await probe();
    await sql`alter table public.pipeline_columns add column b int`.execute(db);
    await expect(probe()).rejects.toMatchObject({ code: '0A000' });
    expect((await probe()).rows).toEqual([]);
  });

  it("runs a unit of work's autocommitted write on a write lane: committed when answered, never waiting on a row lock", async () => {
    const lockTimeout = (on: Kysely<unknown>, mark: typeof prepared) =>
      sessionSetting(on, mark, 'lock_timeout');
    expect(await lockTimeout(db, preparedWrite)).toBe('1ms');
    expect(await lockTimeout(db, prepared)).toBe('0');
    await db.transaction().execute(async (trx) => {
      expect(await lockTimeout(trx, preparedWrite)).toBe('0'); // in a transaction: its connection
    });

    const write = (statement: ReturnType<typeof sql>) =>
      db.executeQuery(preparedWrite(statement.compile(db)));
    await sql`create table public.pipeline_writes (id int primary key, n int not null)`.execute(db);
    // The pool's only connection is held: the writes do not need it.
    const trx = await db.startTransaction().execute();
    try {
      await within(2000, write(sql`insert into public.pipeline_writes values (1, 0), (2, 0)`));
      // Committed once answered: another connection (a lookup lane) sees it at once.
      expect(
        (
          await db.executeQuery(
            prepared(sql`select count(*)::int as n from public.pipeline_writes`.compile(db)),
          )
        ).rows,
      ).toEqual([{ n: 2 }]);
      // A row another transaction holds: the write fails at once (55P03), and the lane goes on.
      await sql`update public.pipeline_writes set n = 1 where id = 1`.execute(trx);
      await expect(
        within(2000, write(sql`update public.pipeline_writes set n = 2 where id = 1`)),
      ).rejects.toMatchObject({ code: '55P03' });
      await within(2000, write(sql`update public.pipeline_writes set n = 2 where id = 2`));
    } finally {
      await trx.rollback().execute();
    }
    expect((await sql`select id, n from public.pipeline_writes order by id`.execute(db)).rows).toEqual([
      { id: 1, n: 0 },
      { id: 2, n: 2 },
    ]);
  });

  it('prepares at most preparedPerLane texts on a lane where it is set, and sends the rest unnamed', async () => {
    if (fresh.target.kind !== 'postgres') throw new Error('a server test');
    const pipeline = new LookupPipeline({ connectionString: fresh.target.url }, 1, () => {}, {
      preparedPerLane: 2,
    });
    try {
      const run = (n: number) => pipeline.query(`cap_${n}`, `select ${n}::int as n`, []);
      for (const n of [1, 2, 3, 4, 1]) expect((await run(n)).rows).toEqual([{ n }]);
      const named = await pipeline.query(
        'cap_count',
        'select array_agg(name order by name) as names from pg_prepared_statements',
        [],
      );
      expect(named.rows).toEqual([{ names: ['cap_1', 'cap_2'] }]);
    } finally {
      await pipeline.end();
    }
  });

  it('closes every lane, write lanes included, when the database closes', async () => {
    const other = await openDatabase(fresh.target, { poolSize: 1 });
    const probes = [prepared, preparedSearch, preparedWrite].map((mark, i) =>
      other.db.executeQuery(mark(sql`select ${sql.lit(`closing probe ${i}`)} as probe`.compile(other.db))),
    );
    await Promise.all(probes);
    await other.close();
    const open = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and query like '%closing probe%' and pid <> pg_backend_pid()`.execute(
          db,
        )
      ).rows[0]?.n;
    for (let waited = 0; waited < 2000 && (await open()) !== 0; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await open()).toBe(0);
  });
});
