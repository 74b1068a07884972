import { type AddressInfo, createServer, type Socket } from 'node:net';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase, onServer } from '../../../test/support/database.ts';
import { adminQuery } from '../../../test/support/server-admin.ts';
import { databaseUnavailable, openDatabase } from './database.ts';
import { instantText, isoInstant } from './instants.ts';
import { prepared, preparedSearch } from './prepared-statements.ts';

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

  /** The failure of a pooled statement and of one on a lookup lane, and how long each took. */
  async function failures(url: string) {
    const database = await openDatabase<unknown>({ kind: 'postgres', url }, { connectTimeoutMs: 200 });
    const attempt = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      const error = await run().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      return { error, ms: performance.now() - started };
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

  it('fails each statement within the connect timeout when the server never answers', async () => {
    const server = await listener('hold');
    try {
      for (const { error, ms } of await failures(server.url)) {
        expect(error).toBeInstanceOf(Error);
        expect(databaseUnavailable(error)).toBe(true);
        expect(ms).toBeLessThan(5_000);
      }
    } finally {
      await server.close();
    }
  });

  it('recognises a server that hangs up, and one that refuses the connection', async () => {
    const server = await listener('drop');
    const refusing = await listener('hold');
    const closedUrl = refusing.url;
    await refusing.close();
    try {
      for (const url of [server.url, closedUrl]) {
        for (const { error } of await failures(url)) expect(databaseUnavailable(error)).toBe(true);
      }
    } finally {
      await server.close();
    }
  });

  it('tells these apart from failures of the statement itself', () => {
    const pgError = (code: string) => Object.assign(new Error('server said no'), { code });
    for (const code of ['57P01', '57P03', '53300', '08006', '08001', 'ECONNRESET'])
      expect(databaseUnavailable(pgError(code)), code).toBe(true);
    for (const code of ['23505', '40001', '55P03', '42P01', 'BD409'])
      expect(databaseUnavailable(pgError(code)), code).toBe(false);
    expect(databaseUnavailable(new Error('boom'))).toBe(false);
    expect(databaseUnavailable('Connection terminated unexpectedly')).toBe(false);
    // pg's own wording counts only on an error without a SQLSTATE.
    expect(databaseUnavailable(Object.assign(new Error('timeout expired'), { code: 'XX000' }))).toBe(false);
    expect(databaseUnavailable(new Error('timeout expired'))).toBe(true);
  });
});
