import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.ts';
import { instantText, isoInstant } from './instants.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
  await database.dispose();
});

describe('instants read as text', () => {
  const instants = [
    '2026-11-30T10:44:23.846Z',
    '2026-11-30T10:44:23.000Z',
    '2026-11-30T10:44:23.500Z',
    '1999-12-31T23:59:59.999Z',
    '2038-01-19T03:14:08.120Z',
  ];

  for (const zone of ['UTC', 'Asia/Seoul', 'America/St_Johns'])
    it(`reads each instant as toISOString writes it, with the session in ${zone}`, async () => {
      const read = await database.db.transaction().execute(async (tx) => {
        await sql`select set_config('TimeZone', ${zone}, true)`.execute(tx);
        const { rows } = await sql<{ at: string; text: string }>`
          select ${instantText('t.at')} as text
            from unnest(${instants}::timestamptz[]) with ordinality as t(at, n) order by n`.execute(tx);
        return rows.map((row) => row.text);
      });
      expect(read.map(isoInstant)).toEqual(instants);
    });

  it('truncates microseconds to milliseconds, as the drivers’ Date does', async () => {
    const { rows } = await sql<{ text: string }>`
      select ${instantText('t.at')} as text
        from (select '2026-11-30 10:44:23.846999+00'::timestamptz as at) t`.execute(database.db);
    expect(isoInstant(rows[0]!.text)).toBe('2026-11-30T10:44:23.846Z');
  });
});
