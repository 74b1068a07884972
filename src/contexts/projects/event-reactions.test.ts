import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.ts';
import { onServer } from '../../../test/support/database.ts';
import {
  outboxEventsOf,
  projectsSubscriptions,
  signedUpOwner,
  subscription,
} from '../../../test/support/projects.ts';
import type { App } from '../../app.ts';
import type { DomainEvent } from '../../shared/domain/domain-event.ts';
import type { Id } from '../../shared/domain/id.ts';
import { OutboxDeliveries } from '../../shared/infrastructure/outbox-deliveries.ts';

let app: App;
beforeAll(async () => {
  // Events are delivered by hand here, so the background relay stays off.
  app = await testApp({ env: { OUTBOX_RELAY: 'false' } });
});
afterAll(() => app.close());

const signUp = () => signedUpOwner(app);

/** Delivers one event to the projects context the way the relay will: in a transaction of its own. */
async function deliver(event: DomainEvent): Promise<void> {
  await app.database.db.transaction().execute((tx) => subscription(app, event.name).handle(event, tx));
}

async function theEvent(memberId: string, name: string): Promise<DomainEvent> {
  const [event] = await outboxEventsOf(app, memberId, name);
  expect(event).toBeDefined();
  return event!;
}

async function projectsOf(headers: { authorization: string }) {
  const response = await app.http.inject({ method: 'GET', url: '/api/v1/projects', headers });
  expect(response.statusCode).toBe(200);
  return response.json().items as {
    id: string;
    name: string;
    task_count: number;
    completed_task_count: number;
  }[];
}

describe('the projects context’s subscriptions', () => {
  it('react to accounts.member_registered and accounts.member_deleted under one stable subscriber name', () => {
    expect(projectsSubscriptions(app).map((s) => [s.event, s.subscriber])).toEqual([
      ['accounts.member_registered', 'projects.member_projects'],
      ['accounts.member_deleted', 'projects.member_projects'],
    ]);
  });

  it('get a member’s deletion only once their sign-up is handled: the relay claims the two in turn', async () => {
    const member = await signUp();
    const deleted = await app.http.inject({
      method: 'DELETE',
      url: `/api/v1/members/${member.id}`,
      headers: member.headers,
    });
    expect(deleted.statusCode).toBe(204);
    const deliveries = new OutboxDeliveries(app.database.db);
    const routes = projectsSubscriptions(app).map(({ event, subscriber }) => ({ event, subscriber }));
    const claimFor = async (relay: string) =>
      (await deliveries.claim({ relay, routes, limit: 1000, leaseMs: 60_000, maxAttempts: 5 }))
        .filter((d) => String(d.event.aggregate_id) === member.id)
        .map((d) => d.event.name);
    // Both events wait, yet a claim takes only the first: the deletion waits behind the sign-up
    // (under two subscriber names, it was claimed beside it and could be handled first).
    expect(await claimFor('relay-a')).toEqual(['accounts.member_registered']);
    expect(await claimFor('relay-b')).toEqual([]);
  });
});

describe('on accounts.member_registered', () => {
  it('gives the new member "My first project": "Sign up!" done, two tasks to do', async () => {
    const member = await signUp();
    expect(await projectsOf(member.headers)).toEqual([]);
    await deliver(await theEvent(member.id, 'accounts.member_registered'));

    const [project] = await projectsOf(member.headers);
    expect(project).toMatchObject({ name: 'My first project', task_count: 3, completed_task_count: 1 });
    const tasks = await app.http.inject({
      method: 'GET',
      url: `/api/v1/projects/${project!.id}/tasks`,
      headers: member.headers,
    });
    expect(
      (tasks.json().items as { number: number; name: string; completed_at: string | null }[]).map((t) => [
        t.number,
        t.name,
        t.completed_at !== null,
      ]),
    ).toEqual([
      [1, 'Sign up!', true],
      [2, 'Watch the tutorial', false],
      [3, 'Start using our awesome app', false],
    ]);
    // The example project's own events are in the outbox, written in the delivery's transaction.
    expect((await outboxEventsOf(app, project!.id)).map((e) => e.name)).toEqual([
      'projects.project_created',
      'projects.task_added',
      'projects.task_completed',
      'projects.task_added',
      'projects.task_added',
    ]);
  });

  it('creates nothing more when the event is delivered again, even with the id as text', async () => {
    const member = await signUp();
    const event = await theEvent(member.id, 'accounts.member_registered');
    await deliver(event);
    const outboxRows = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from shared.outbox`.execute(app.database.db)).rows[0]
          ?.n,
      );
    const before = await outboxRows();
    await deliver(event);
    await deliver({
      ...event,
      aggregate_id: member.id as unknown as Id,
    });
    expect(await projectsOf(member.headers)).toHaveLength(1);
    expect(await outboxRows()).toBe(before);
  });

  it('takes part in the delivery’s transaction: if the delivery fails, no project is left', async () => {
    const member = await signUp();
    const event = await theEvent(member.id, 'accounts.member_registered');
    await expect(
      app.database.db.transaction().execute(async (tx: Transaction<unknown>) => {
        await subscription(app, event.name).handle(event, tx);
        throw new Error('the relay could not record the delivery');
      }),
    ).rejects.toThrow('could not record');
    expect(await projectsOf(member.headers)).toEqual([]);
    await deliver(event);
    expect(await projectsOf(member.headers)).toHaveLength(1);
  });
});

describe('on accounts.member_deleted', () => {
  it('archives and deletes every project of the member, whatever their tasks, keeping the rows', async () => {
    const member = await signUp();
    await deliver(await theEvent(member.id, 'accounts.member_registered'));
    const other = await app.http.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: member.headers,
      payload: { name: 'Side project' },
    });
    expect(other.statusCode).toBe(201);
    expect(await projectsOf(member.headers)).toHaveLength(2);

    expect(
      (
        await app.http.inject({
          method: 'DELETE',
          url: `/api/v1/members/${member.id}`,
          headers: member.headers,
        })
      ).statusCode,
    ).toBe(204);
    const deleted = await theEvent(member.id, 'accounts.member_deleted');
    await deliver(deleted);
    await deliver(deleted);

    expect(await projectsOf(member.headers)).toEqual([]);
    const { rows } = await sql<{ status: string; deleted: boolean; tasks: number }>`
      select status, deleted_at is not null as deleted, task_count as tasks
        from projects.projects where owner_id = ${member.id} order by id`.execute(app.database.db);
    expect(rows).toEqual([
      { status: 'archived', deleted: true, tasks: 3 },
      { status: 'archived', deleted: true, tasks: 0 },
    ]);
    const events = await sql<{ name: string; payload: unknown }>`
      select name, payload from shared.outbox
       where aggregate_id = ${other.json().id} and name in ('projects.project_archived', 'projects.project_deleted')
       order by id`.execute(app.database.db);
    expect(events.rows).toEqual([
      { name: 'projects.project_archived', payload: { reason: 'owner_deleted' } },
      { name: 'projects.project_deleted', payload: { reason: 'owner_deleted' } },
    ]);
  });
});

describe.runIf(onServer)('two deliveries of one sign-up racing on the PostgreSQL server', () => {
  it('both commit and leave exactly one example project', async () => {
    const member = await signUp();
    const event = await theEvent(member.id, 'accounts.member_registered');
    const results = await Promise.allSettled([deliver(event), deliver(event)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await projectsOf(member.headers)).toHaveLength(1);
  });
});
