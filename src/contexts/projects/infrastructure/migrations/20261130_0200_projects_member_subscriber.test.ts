import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase } from '../../../../../test/support/database.ts';
import { down, up } from './20261130_0200_projects_member_subscriber.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.dispose());

const subscribers = async () =>
  (
    await sql<{ event_id: string; subscriber: string; status: string }>`
      select event_id::text, subscriber, status from shared.outbox_deliveries order by event_id, subscriber`.execute(
      database.db,
    )
  ).rows.map((row) => `${row.event_id} ${row.subscriber} ${row.status}`);

it('moves the deliveries waiting under the two old subscriber names to projects.member_projects, and back', async () => {
  const { db } = database;
  await sql`
    insert into shared.outbox (id, name, aggregate_type, aggregate_id, occurred_at, payload)
    values (1, 'accounts.member_registered', 'member', 7, now(), '{}'),
           (2, 'accounts.member_deleted', 'member', 7, now(), '{}'),
           (3, 'accounts.member_registered', 'member', 8, now(), '{}')`.execute(db);
  await sql`
    insert into shared.outbox_deliveries (event_id, subscriber, event_name, aggregate_id, status)
    values (1, 'projects.create_example_project', 'accounts.member_registered', 7, 'pending'),
           (2, 'projects.close_projects_of_departed_member', 'accounts.member_deleted', 7, 'dead'),
           (3, 'projects.create_example_project', 'accounts.member_registered', 8, 'delivered'),
           (1, 'accounts.send_welcome_mail', 'accounts.member_registered', 7, 'pending')`.execute(db);

  await up(db);
  expect(await subscribers()).toEqual([
    '1 accounts.send_welcome_mail pending',
    '1 projects.member_projects pending',
    '2 projects.member_projects dead',
    '3 projects.create_example_project delivered',
  ]);

  await down(db);
  expect(await subscribers()).toEqual([
    '1 accounts.send_welcome_mail pending',
    '1 projects.create_example_project pending',
    '2 projects.close_projects_of_departed_member dead',
    '3 projects.create_example_project delivered',
  ]);
});
