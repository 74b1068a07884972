import { type AddressInfo, createServer, type Socket } from 'node:net';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase, onServer } from '../../../test/support/database.ts';
import { adminQuery } from '../../../test/support/server-admin.ts';
import { tcpProxy } from '../../../test/support/tcp-proxy.ts';
import {
  type Database,
  type DatabaseOptions,
  databaseOutage,
  laneStatementTimeoutMs,
  openDatabase,
  outOfReach,
  serverAddress,
} from './database.ts';
import { instantText, isoInstant } from './instants.ts';
import { prepared, preparedSearch, preparedWrite } from './prepared-statements.ts';

describe.runIf(onServer)('the PostgreSQL pool', () => {
  it('survives the server ending its idle connections: it reports them and connects anew', async () => {
    const fresh = await freshDatabase();
    const failures: Error[] = [];
    const database = await openDatabase<unknown>(fresh.target, {
      poolSize: 2,
      onIdleConnectionError: (error) => failures.push(error),
    });
    try {
      const pid = async () =>
        (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]!.pid;
      const before = await pid();
      // The connection is idle in the pool now; end it from another session, as a restart would.
      const admin = await openDatabase<unknown>(fresh.target, { poolSize: 1 });
      await sql`select pg_terminate_backend(${before})`.execute(admin.db);
      await admin.close();
      for (let i = 0; i < 100 && failures.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));

      expect(failures.map((error) => (error as { code?: string }).code)).toEqual(['57P01']);
      expect(await pid()).not.toBe(before);
    } finally {
      await database.close();
      await fresh.dispose();
    }
  });

  it('plans lookups and writes by key on the lanes through their index, even while the table is a page', async () => {
    // A plan kept for a prepared statement outlives the table's growth, until the next ANALYZE.
    await onFreshDatabase({ poolSize: 2 }, async (database) => {
      await sql`create table keyed (id bigint primary key, version integer not null)`.execute(database.db);
      await sql`insert into keyed select g, 1 from generate_series(1, 20) g`.execute(database.db);
      await sql`analyze keyed`.execute(database.db);
      const lookup = (id: number) =>
        database.db.executeQuery(
          prepared(sql<{ version: number }>`select version from keyed where id = ${id}`.compile(database.db)),
        );
      // A unit of work's write: by key and version, on a write lane.
      const write = (id: number) =>
        database.db.executeQuery(
          preparedWrite(
            sql`update keyed set version = version + 1 where id = ${id} and version = ${1}`.compile(
              database.db,
            ),
          ),
        );
      // Twelve runs of each: past the five after which the server keeps a generic plan.
      for (let id = 1; id <= 12; id += 1) {
        expect((await lookup(id)).rows).toEqual([{ version: 1 }]);
        expect((await write(id)).numAffectedRows).toBe(1n);
      }
      // A server backend reports its scans at most once a second, when idle: wait until both have.
      let scans = { seq: 0, idx: 0 };
      for (let wait = 0; scans.seq + scans.idx < 24 && wait < 30; wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await lookup(1);
        await write(1);
        const { rows } = await sql<{ seq: string; idx: string }>`
          select seq_scan as seq, idx_scan as idx from pg_stat_user_tables where relname = 'keyed'`.execute(
          database.db,
        );
        scans = { seq: Number(rows[0]!.seq), idx: Number(rows[0]!.idx) };
      }
      // A table of one page costs less to read whole than through its index, so the server would
      // plan (and keep) a sequential scan for both.
      expect(scans.seq).toBe(0);
      expect(scans.idx).toBeGreaterThanOrEqual(24);
    });
  });

  it('keeps its sessions in UTC whatever the server’s default zone, pooled and on the lanes', async () => {
    const fresh = await freshDatabase();
    const name = new URL(fresh.url).pathname.slice(1);
    await adminQuery(process.env.TEST_DATABASE_URL!, `alter database ${name} set timezone = 'Asia/Seoul'`);
    const database = await openDatabase<unknown>(fresh.target, { poolSize: 2 });
    try {
      // A lane takes only statements that begin "/* prepared */ select" (prepared-statements.ts).
      const zone = sql<{ zone: string; at: string; pid: number }>`select current_setting('TimeZone') as zone,
               ${instantText('t.at')} as at, pg_backend_pid() as pid
          from (select '2026-11-30 10:44:23.846+00'::timestamptz as at) t`;
      const pooled = (await zone.execute(database.db)).rows[0]!;
      const compiled = zone.compile(database.db);
      const laned = (await database.db.executeQuery(prepared(compiled))).rows[0]!;
      const searched = (await database.db.executeQuery(preparedSearch(compiled))).rows[0]!;
      // Three sessions: the pool's, a lookup lane's and a search lane's.
      expect(new Set([pooled.pid, laned.pid, searched.pid]).size).toBe(3);
      for (const row of [pooled, laned, searched]) {
        expect(row.zone).toBe('UTC');
        expect(row.at).toBe('2026-11-30 10:44:23.846+00');
        expect(isoInstant(row.at)).toBe('2026-11-30T10:44:23.846Z');
      }
    } finally {
      await database.close();
      await fresh.dispose();
    }
  });
});

describe('a PostgreSQL server out of reach', () => {
  /** A local TCP server: `hold` accepts and never answers (a dead route, a hung proxy); `drop` hangs up at once. */
  async function listener(behaviour: 'hold' | 'drop') {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      if (behaviour === 'drop') socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `postgres://bounded@127.0.0.1:${port}/bounded`,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  /** How a pooled statement and one on a lookup lane fail, and how long each took. */
  async function failures(url: string) {
    const database = await openDatabase<unknown>({ kind: 'postgres', url }, { connectTimeoutMs: 200 });
    const attempt = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      const error = await run().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      return { outage: databaseOutage(error), ms: performance.now() - started };
    };
    try {
      return [
        await attempt(() => sql`select 1`.execute(database.db)),
        await attempt(() => database.db.executeQuery(prepared(sql`select 1`.compile(database.db)))),
      ];
    } finally {
      await database.close();
    }
  }

  it('fails each statement within the connect timeout when the server never answers: not reached', async () => {
    const server = await listener('hold');
    try {
      for (const { outage, ms } of await failures(server.url)) {
        expect(outage).toBe('unreached');
        expect(ms).toBeLessThan(5_000);
      }
    } finally {
      await server.close();
    }
  });

  it('calls a refused connection not reached, and one the server hangs up lost (it cannot tell when)', async () => {
    const refusing = await listener('hold');
    const closedUrl = refusing.url;
    await refusing.close();
    expect((await failures(closedUrl)).map((f) => f.outage)).toEqual(['unreached', 'unreached']);
    const dropping = await listener('drop');
    try {
      expect((await failures(dropping.url)).map((f) => f.outage)).toEqual(['lost', 'lost']);
    } finally {
      await dropping.close();
    }
  });

  it('fails unbounded work before it starts when its connection cannot be had: not reached', async () => {
    const refusing = await listener('hold');
    const url = refusing.url;
    await refusing.close();
    const database = await openDatabase<unknown>({ kind: 'postgres', url }, { connectTimeoutMs: 200 });
    try {
      let started = false;
      const error = await database
        .unbounded(async () => {
          started = true;
        })
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      expect(databaseOutage(error)).toBe('unreached');
      expect(started).toBe(false);
    } finally {
      await database.close();
    }
  });

  it('tells these apart from failures of the statement itself', () => {
    const failure = (code: string, more: Record<string, unknown> = {}) =>
      Object.assign(new Error('server said no'), { code, ...more });
    const cases: [unknown, string | undefined][] = [
      [failure('57P03'), 'unreached'],
      [failure('53300'), 'unreached'],
      [failure('08001'), 'unreached'],
      [failure('ECONNREFUSED'), 'unreached'],
      [failure('ENOTFOUND', { syscall: 'getaddrinfo' }), 'unreached'],
      [failure('ETIMEDOUT', { syscall: 'connect' }), 'unreached'],
      [failure('ENOENT', { syscall: 'connect' }), 'unreached'],
      [failure('57P01'), 'lost'],
      [failure('08006'), 'lost'],
      [failure('ECONNRESET', { syscall: 'read' }), 'lost'],
      [failure('ETIMEDOUT', { syscall: 'read' }), 'lost'],
      // A pooler's protocol error (no server routine) counts; the server's own is a bug of ours.
      [failure('08P01'), 'lost'],
      // Stopped by statement_timeout (or an administrator): nothing of it took effect.
      [failure('57014'), 'slow'],
      [failure('08P01', { routine: 'exec_bind_message' }), undefined],
      [failure('ENOENT', { syscall: 'open' }), undefined],
      [failure('23505'), undefined],
      [failure('40001'), undefined],
      [failure('55P03'), undefined],
      [failure('BD409'), undefined],
      [new Error('timeout exceeded when trying to connect'), 'busy'],
      [new Error('Query read timeout'), 'lost'],
      [new Error('boom'), undefined],
      [new Error('constructor'), undefined],
      ['Connection terminated unexpectedly', undefined],
      // pg's own wording counts only on an error without a SQLSTATE.
      [failure('XX000', { message: 'timeout expired' }), undefined],
    ];
    for (const [error, outage] of cases)
      expect(databaseOutage(error), String((error as Error).message ?? error)).toBe(outage);
    // What start-up and the CLI explain as "cannot be reached": not a stopped statement, which got there.
    expect(outOfReach(failure('57014'))).toBe(false);
    expect(outOfReach(failure('57P03'))).toBe(true);
    expect(outOfReach(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(outOfReach(failure('23505'))).toBe(false);
  });

  it('gives a lane at most four fifths of its answer timeout as statement timeout', () => {
    expect(laneStatementTimeoutMs(30_000, 15_000)).toBe(12_000);
    expect(laneStatementTimeoutMs(5_000, 15_000)).toBe(5_000);
    expect(laneStatementTimeoutMs(0, 15_000)).toBe(12_000);
    expect(laneStatementTimeoutMs(0, 1)).toBe(1);
  });

  it('names the server in messages by host and port, or socket folder, never with its password', () => {
    expect(serverAddress('postgres://app:s3cret@db.internal:6543/bounded')).toBe('db.internal:6543');
    expect(serverAddress('postgres://app:s3cret@db.internal/bounded')).toBe('db.internal:5432');
    expect(serverAddress('postgres://app:s3cret@/bounded?host=/var/run/postgresql')).toBe(
      'the socket in /var/run/postgresql',
    );
  });
});

describe.runIf(onServer)('the PostgreSQL pool and lanes under an outage', () => {
  it('drops a lane whose connection goes silent, failing its statements as lost, then serves on a new one', async () => {
    const fresh = await freshDatabase();
    const server = new URL(fresh.url);
    const proxy = await tcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const proxied = new URL(fresh.url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    const database = await openDatabase<unknown>(
      { kind: 'postgres', url: proxied.toString() },
      { laneAnswerTimeoutMs: 300 },
    );
    const lookup = () =>
      database.db.executeQuery(prepared(sql<{ one: number }>`select 1 as one`.compile(database.db)));
    try {
      expect((await lookup()).rows).toEqual([{ one: 1 }]);
      proxy.freeze();
      // The next lookup goes to the lane that served the first, which no longer hears back.
      const started = performance.now();
      const failure = await lookup().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(failure).toBeInstanceOf(Error);
      expect(databaseOutage(failure)).toBe('lost');
      // That lane is gone; the next lookup opens another (the proxy serves new connections).
      expect((await lookup()).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
      await proxy.close();
      await fresh.dispose();
    }
  });

  it('calls a wait for a free pooled connection past the timeout busy', async () => {
    const fresh = await freshDatabase();
    const database = await openDatabase<unknown>(fresh.target, { poolSize: 1, connectTimeoutMs: 200 });
    try {
      let release = () => {};
      const held = database.db.transaction().execute(async (tx) => {
        await sql`select 1`.execute(tx);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const error = await sql`select 1`.execute(database.db).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      release();
      await held;
      expect(databaseOutage(error)).toBe('busy');
    } finally {
      await database.close();
      await fresh.dispose();
    }
  });

  it('stops a statement past DATABASE_STATEMENT_TIMEOUT_MS, pooled and on every lane: slow', async () => {
    await onFreshDatabase({ poolSize: 1, statementTimeoutMs: 150 }, async (database) => {
      const nap = sql<{ pid: number }>`select pg_sleep(0.6), pg_backend_pid() as pid`;
      const compiled = nap.compile(database.db);
      const failures = [
        await failureOf(nap.execute(database.db)),
        await failureOf(database.db.executeQuery(prepared(compiled))),
        await failureOf(database.db.executeQuery(preparedSearch(compiled))),
        await failureOf(database.db.executeQuery(preparedWrite(compiled))),
        await failureOf(database.db.transaction().execute((tx) => nap.execute(tx))),
      ];
      for (const error of failures) {
        expect((error as { code?: string } | undefined)?.code).toBe('57014');
        expect(databaseOutage(error)).toBe('slow');
      }
      // A statement within the limit runs, on the connections the stopped ones left.
      expect((await sql<{ n: number }>`select 1 as n`.execute(database.db)).rows).toEqual([{ n: 1 }]);
    });
  });

  it('runs work without the statement timeout when asked (migrations), on a connection of its own', async () => {
    await onFreshDatabase({ poolSize: 1, statementTimeoutMs: 150 }, async (database) => {
      const nap = sql`select pg_sleep(0.4)`;
      const session = sql<{ limit: string; pid: number }>`
        select current_setting('statement_timeout') as limit, pg_backend_pid() as pid`;
      const pooled = (await session.execute(database.db)).rows[0]!;
      const inside = await database.unbounded(async (db) => {
        await nap.execute(db);
        return (await session.execute(db)).rows[0]!;
      });
      expect(inside.limit).toBe('0');
      expect(inside.pid).not.toBe(pooled.pid);
      // The pool's connection kept its limit.
      expect((await session.execute(database.db)).rows[0]).toEqual({ limit: '150ms', pid: pooled.pid });
      expect(databaseOutage(await failureOf(nap.execute(database.db)))).toBe('slow');
    });
  });

  it('stops a slow statement on a lane before the lane would give its connection up: slow, not lost', async () => {
    // No limit for the pool; the lanes wait 1 s for an answer, so their statements get 0.8 s.
    await onFreshDatabase(
      { poolSize: 1, statementTimeoutMs: 0, laneAnswerTimeoutMs: 1_000 },
      async (database) => {
        const nap = sql`select pg_sleep(1.2)`;
        const laned = await failureOf(database.db.executeQuery(prepared(nap.compile(database.db))));
        expect((laned as { code?: string }).code).toBe('57014');
        expect(databaseOutage(laned)).toBe('slow');
        // On the pool, 0 is no limit at all.
        await expect(nap.execute(database.db)).resolves.toBeDefined();
      },
    );
  });
});

/** Runs `test` on a fresh database opened with `options`, closed and dropped afterwards. */
async function onFreshDatabase(
  options: DatabaseOptions,
  test: (database: Database<unknown>) => Promise<void>,
): Promise<void> {
  const fresh = await freshDatabase();
  const database = await openDatabase<unknown>(fresh.target, options);
  try {
    await test(database);
  } finally {
    await database.close();
    await fresh.dispose();
  }
}

/** What a statement failed with, or undefined when it did not fail. */
function failureOf(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => undefined,
    (error: unknown) => error,
  );
}
