import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.ts';
import { onServer } from '../../../test/support/database.ts';
import {
  bearer,
  outboxEventsOf,
  projectsSubscriptions,
  subscription,
} from '../../../test/support/projects.ts';
import type { App } from '../../app.ts';
import type { DomainEvent } from '../../shared/domain/domain-event.ts';
import { Id } from '../../shared/domain/id.ts';

let app: App;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.close());

let n = 0;
async function signUp(): Promise<{ id: string; headers: { authorization: string } }> {
  n += 1;
  const response = await app.http.inject({
    method: 'POST',
    url: '/api/v1/members',
    payload: { email: `reaction${n}@example.com`, passwd: 'Correct-Horse-9', name: 'Ada Lovelace' },
  });
  expect(response.statusCode).toBe(201);
  const id = response.json().id as string;
  return { id, headers: bearer(app, Id.of(id)) };
}

/** Delivers one event to one subscriber the way the relay will: in a transaction of its own. */
async function deliver(subscriber: string, event: DomainEvent): Promise<void> {
  await app.database.db.transaction().execute((tx) => subscription(app, subscriber).handle(event, tx));
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
  it('react to accounts.member_registered and accounts.member_deleted under stable subscriber names', () => {
    expect(projectsSubscriptions(app).map((s) => [s.event, s.subscriber])).toEqual([
      ['accounts.member_registered', 'projects.create_example_project'],
      ['accounts.member_deleted', 'projects.close_projects_of_departed_member'],
    ]);
  });
});

describe('on accounts.member_registered', () => {
  it('gives the new member "My first project": "Sign up!" done, two tasks to do', async () => {
    const member = await signUp();
    expect(await projectsOf(member.headers)).toEqual([]);
    await deliver('projects.create_example_project', await theEvent(member.id, 'accounts.member_registered'));

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
    await deliver('projects.create_example_project', event);
    const outboxRows = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from shared.outbox`.execute(app.database.db)).rows[0]
          ?.n,
      );
    const before = await outboxRows();
    await deliver('projects.create_example_project', event);
    await deliver('projects.create_example_project', {
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
        await subscription(app, 'projects.create_example_project').handle(event, tx);
        throw new Error('the relay could not record the delivery');
      }),
    ).rejects.toThrow('could not record');
    expect(await projectsOf(member.headers)).toEqual([]);
    await deliver('projects.create_example_project', event);
    expect(await projectsOf(member.headers)).toHaveLength(1);
  });
});

describe('on accounts.member_deleted', () => {
  it('archives and deletes every project of the member, whatever their tasks, keeping the rows', async () => {
    const member = await signUp();
    await deliver('projects.create_example_project', await theEvent(member.id, 'accounts.member_registered'));
    const other = await app.http.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: member.headers,
      payload: { name: 'Side project' },
    });
    expect(other.statusCode).toBe(201);
    expect(await projectsOf(member.headers)).toHaveLength(2);

    expect(
      (await app.http.inject({ method: 'DELETE', url: `/api/v1/members/${member.id}` })).statusCode,
    ).toBe(204);
    const deleted = await theEvent(member.id, 'accounts.member_deleted');
    await deliver('projects.close_projects_of_departed_member', deleted);
    await deliver('projects.close_projects_of_departed_member', deleted);

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
    const results = await Promise.allSettled([
      deliver('projects.create_example_project', event),
      deliver('projects.create_example_project', event),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await projectsOf(member.headers)).toHaveLength(1);
  });
});
