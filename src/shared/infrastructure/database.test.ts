import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase, onServer } from '../../../test/support/database.ts';
import { adminQuery } from '../../../test/support/server-admin.ts';
import { openDatabase } from './database.ts';
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
