import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.ts';
import { bearer } from '../../../test/support/projects.ts';
import type { App } from '../../app.ts';
import { seedDemo } from '../../seed.ts';
import { Id } from '../../shared/domain/id.ts';
import { DEMO_PROJECTS, seedProjects } from './demo-projects.ts';
import { insertBenchmarkProjects } from './infrastructure/benchmark-projects.ts';

let app: App;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.close());

async function counts(): Promise<Record<string, number>> {
  const { rows } = await sql<{ projects: string; tasks: string; events: string }>`
    select (select count(*) from projects.projects) as projects,
           (select count(*) from projects.tasks) as tasks,
           (select count(*) from shared.outbox) as events`.execute(app.database.db);
  const row = rows[0]!;
  return { projects: Number(row.projects), tasks: Number(row.tasks), events: Number(row.events) };
}

async function get(memberId: Id, url: string) {
  const response = await app.http.inject({
    method: 'GET',
    url: `/api/v1${url}`,
    headers: bearer(app, memberId),
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('seedProjects', () => {
  const owners = [Id.of('61001'), Id.of('61002')];

  it('gives each owner projects and tasks in every state, plus the example project', async () => {
    const lines = await seedProjects(app, owners);
    expect(lines.join('\n')).toMatch(/for 2 member/);
    for (const owner of owners) {
      const projects = (await get(owner, '/projects')).items as {
        id: string;
        name: string;
        status: string;
        max_incomplete_tasks: number | null;
        task_count: number;
        completed_task_count: number;
      }[];
      expect(projects.map((p) => [p.name, p.status, p.task_count, p.completed_task_count])).toEqual([
        ['My first project', 'active', 3, 1],
        ['Garden shed', 'active', 4, 2],
        ['Reading list', 'active', 3, 1],
        ['Kitchen remodel', 'archived', 2, 2],
      ]);
      // The reading list is at its limit: one more open task is refused.
      const reading = projects.find((p) => p.name === 'Reading list')!;
      expect(reading.max_incomplete_tasks).toBe(reading.task_count - reading.completed_task_count);
      const { rows } = await sql<{ name: string; status: string }>`
        select name, status from projects.projects where owner_id = ${owner.toString()} and deleted_at is not null`.execute(
        app.database.db,
      );
      expect(rows).toEqual([{ name: 'Old experiments', status: 'archived' }]);
    }
    expect(DEMO_PROJECTS.map((p) => p.state ?? 'active')).toEqual([
      'active',
      'active',
      'archived',
      'deleted',
    ]);
  });

  it('changes nothing when run again', async () => {
    const before = await counts();
    expect((await seedProjects(app, owners)).join('\n')).toMatch(/nothing changed/);
    expect(await counts()).toEqual(before);
  });
});

describe('seedDemo (npm run cli -- seed)', () => {
  it('builds demo members with their projects once; again without --reset changes nothing', async () => {
    const first = await seedDemo(app, { reset: false });
    expect(first.created).toBe(true);
    expect(first.lines.join('\n')).toMatch(/Demo projects: 4 per member for 3 member/);
    const { rows } = await sql<{ id: string }>`
      select id from accounts.members where email = 'ada@demo.bounded.dev'`.execute(app.database.db);
    const ada = Id.of(rows[0]!.id);
    expect(((await get(ada, '/projects')).items as unknown[]).length).toBe(4);

    const before = await counts();
    expect((await seedDemo(app, { reset: false })).created).toBe(false);
    expect(await counts()).toEqual(before);
  });

  it('rebuilds with --reset, as often as asked, closing the old members’ projects', async () => {
    const adaIds = async () =>
      (
        await sql<{ id: string; deleted: boolean }>`
          select id, deleted_at is not null as deleted from accounts.members
           where email = 'ada@demo.bounded.dev' order by id`.execute(app.database.db)
      ).rows;
    await seedDemo(app, { reset: true });
    await seedDemo(app, { reset: true });
    const adas = await adaIds();
    expect(adas.map((a) => a.deleted)).toEqual([true, true, false]);
    const { rows } = await sql<{ owner_id: string; open: string }>`
      select owner_id, count(*) filter (where deleted_at is null) as open from projects.projects
       where owner_id in (${sql.join(adas.map((a) => a.id))}) group by owner_id order by owner_id`.execute(
      app.database.db,
    );
    expect(rows.map((r) => Number(r.open))).toEqual([0, 0, 4]);
  });
});

describe('insertBenchmarkProjects', () => {
  it('bulk-loads 50 projects per member with tasks, counters right, served by the API', async () => {
    const owners = Array.from({ length: 40 }, (_, i) => Id.of(String(70_001 + i)));
    const started = performance.now();
    const made = await insertBenchmarkProjects(app.database.db, app.tools, owners);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(made).toEqual({ projects: 2000, tasks: 6000 });

    const page = await get(owners[0]!, '/projects?limit=100');
    expect(page.items).toHaveLength(50);
    expect(page.items.filter((p: { status: string }) => p.status === 'archived')).toHaveLength(5);
    expect(page.items[0]).toMatchObject({ name: 'Project 1', task_count: 3, completed_task_count: 1 });

    const { rows } = await sql<{ wrong: string }>`
      select count(*) as wrong from projects.projects p
       where p.owner_id in (${sql.join(owners.map(String))})
         and (p.task_count, p.completed_task_count) <>
             (select count(*)::int, count(t.completed_at)::int from projects.tasks t where t.project_id = p.id)`.execute(
      app.database.db,
    );
    expect(rows[0]?.wrong).toBe('0');

    // The loaded projects take commands like any other: the next task is number 4.
    const first = page.items[0] as { id: string };
    const added = await app.http.inject({
      method: 'POST',
      url: `/api/v1/projects/${first.id}/tasks`,
      headers: bearer(app, owners[0]!),
      payload: { name: 'One more' },
    });
    expect(added.json()).toMatchObject({ number: 4 });
  });
});
