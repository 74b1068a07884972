import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase, onServer } from '../../../test/support/database.ts';
import { openDatabase } from './database.ts';

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
});
