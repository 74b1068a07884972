import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { expectProblem } from '../../../../test/support/problem.ts';
import { outboxEventsOf, signedUpOwner, subscription } from '../../../../test/support/projects.ts';
import type { App } from '../../../app.ts';
import type { DomainEvent } from '../../../shared/domain/domain-event.ts';
import type { Id } from '../../../shared/domain/id.ts';

/**
 * Access tokens are checked without the database, so a member who deleted their account keeps a
 * valid one for up to ACCESS_TOKEN_TTL. Once the relay has delivered accounts.member_deleted, the
 * projects context remembers them and gives them no new project.
 */
let app: App;
beforeAll(async () => {
  // The relay runs when a test says so (app.relay.drain()).
  app = await testApp({ env: { OUTBOX_RELAY: 'false' } });
});
afterAll(() => app.close());

const signUp = () => signedUpOwner(app);

type Member = Awaited<ReturnType<typeof signUp>>;

function call(member: Member, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return app.http.inject({
    method,
    url: `/api/v1${url}`,
    headers: member.headers,
    ...(payload === undefined ? {} : { payload }),
  });
}

async function deleteAccount(member: Member): Promise<void> {
  expect((await call(member, 'DELETE', `/members/${member.id}`)).statusCode).toBe(204);
}

/** Delivers one event to the projects context again, by hand, in a transaction of its own (as the relay does). */
async function deliverAgain(event: DomainEvent): Promise<void> {
  await app.database.db
    .transaction()
    .execute((tx: Transaction<unknown>) => subscription(app, event.name).handle(event, tx));
}

const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
  Number((await query.execute(app.database.db)).rows[0]?.n);
const projectRowsOf = (member: Member) =>
  count(sql<{ n: string }>`select count(*) as n from projects.projects where owner_id = ${member.id}`);
const outboxRows = () => count(sql<{ n: string }>`select count(*) as n from shared.outbox`);
const departures = (member: Member) =>
  sql<{ departed_at: Date }>`
    select departed_at from projects.departed_owners where member_id = ${member.id}`.execute(app.database.db);

describe('POST /api/v1/projects with the token of a member who deleted their account', () => {
  it('answers 404 project.owner_departed once the relay has run, and stores nothing', async () => {
    const member = await signUp();
    await app.relay.drain();
    expect((await call(member, 'POST', '/projects', { name: 'Side project' })).statusCode).toBe(201);
    await deleteAccount(member);
    await app.relay.drain();
    const rows = await projectRowsOf(member);
    const events = await outboxRows();

    const refused = await call(member, 'POST', '/projects', { name: 'After I left' });
    expectProblem(refused, 404, 'project.owner_departed');
    expect(refused.headers.location).toBeUndefined();
    expect(await projectRowsOf(member)).toBe(rows);
    expect(await outboxRows()).toBe(events);
    // Reads cost no lookup of their own: the token still lists, and finds nothing open.
    expect((await call(member, 'GET', '/projects')).json().items).toEqual([]);
  });

  it('stays refused when the deletion is delivered again, which is harmless and keeps the first time', async () => {
    const member = await signUp();
    await app.relay.drain();
    await deleteAccount(member);
    expect(await app.relay.drain()).toMatchObject({ delivered: expect.any(Number), retrying: 0, dead: 0 });
    const first = (await departures(member)).rows;
    expect(first).toHaveLength(1);

    const [deleted] = await outboxEventsOf(app, member.id, 'accounts.member_deleted');
    await deliverAgain(deleted!);
    await deliverAgain({ ...deleted!, aggregate_id: member.id as unknown as Id });

    expect((await departures(member)).rows).toEqual(first);
    expectProblem(
      await call(member, 'POST', '/projects', { name: 'After I left' }),
      404,
      'project.owner_departed',
    );
  });

  it('reopens nothing either: an archived project of theirs is gone, so unarchiving it is 404', async () => {
    const member = await signUp();
    await app.relay.drain();
    const created = await call(member, 'POST', '/projects', { name: 'Finished work' });
    const id = created.json().id as string;
    expect((await call(member, 'POST', `/projects/${id}/archive`)).statusCode).toBe(200);
    await deleteAccount(member);
    await app.relay.drain();
    expectProblem(await call(member, 'POST', `/projects/${id}/unarchive`), 404, 'project.not_found');
    expectProblem(
      await call(member, 'PATCH', `/projects/${id}`, { name: 'Renamed later' }),
      404,
      'project.not_found',
    );
  });

  it('gives no example project when the sign-up is handled only after the deletion', async () => {
    const member = await signUp();
    await deleteAccount(member);
    const [registered] = await outboxEventsOf(app, member.id, 'accounts.member_registered');
    const [deleted] = await outboxEventsOf(app, member.id, 'accounts.member_deleted');
    // The relay hands them over in order; a sign-up delivery that kept failing could still come
    // after the deletion was handled.
    await deliverAgain(deleted!);
    await deliverAgain(registered!);
    expect(await projectRowsOf(member)).toBe(0);
  });
});
