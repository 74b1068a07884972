import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { expectProblem } from '../../../../test/support/problem.ts';
import { bearer } from '../../../../test/support/projects.ts';
import type { App } from '../../../app.ts';
import { Id } from '../../../shared/domain/id.ts';

let app: App;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.close());

let members = 7000;
function aMember() {
  members += 1;
  const id = Id.of(String(members));
  return { id, headers: bearer(app, id) };
}

type Member = ReturnType<typeof aMember>;

function call(member: Member, method: string, url: string, payload?: unknown) {
  return app.http.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: member.headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function aProjectWithTasks(member: Member, names: string[], body: Record<string, unknown> = {}) {
  const project = (await call(member, 'POST', '/projects', { name: 'Garden shed', ...body })).json() as {
    id: string;
  };
  for (const name of names) {
    expect((await call(member, 'POST', `/projects/${project.id}/tasks`, { name })).statusCode).toBe(201);
  }
  return project.id;
}

describe('POST /api/v1/projects/{id}/tasks', () => {
  it('adds tasks numbered 1, 2, 3 with Location, open', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, []);
    for (const [i, name] of ['Buy wood', 'Cut wood', 'Paint it'].entries()) {
      const response = await call(ada, 'POST', `/projects/${projectId}/tasks`, { name: ` ${name} ` });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ number: i + 1, name, completed_at: null });
      expect(response.headers.location).toBe(`/api/v1/projects/${projectId}/tasks/${i + 1}`);
    }
    expect((await call(ada, 'GET', `/projects/${projectId}`)).json()).toMatchObject({ task_count: 3 });
  });

  it('answers 409 when the incomplete-task limit is reached, and after archiving', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood', 'Cut wood'], { max_incomplete_tasks: 2 });
    const refused = expectProblem(
      await call(ada, 'POST', `/projects/${projectId}/tasks`, { name: 'Paint it' }),
      409,
      'project.task_limit_reached',
    );
    expect(refused.detail).toMatch(/at most 2 incomplete tasks/);
    for (const n of [1, 2]) await call(ada, 'POST', `/projects/${projectId}/tasks/${n}/complete`);
    await call(ada, 'POST', `/projects/${projectId}/archive`);
    expectProblem(
      await call(ada, 'POST', `/projects/${projectId}/tasks`, { name: 'Paint it' }),
      409,
      'project.archived',
    );
    expect((await call(ada, 'GET', `/projects/${projectId}`)).json()).toMatchObject({ task_count: 2 });
  });

  it.each([
    ['a missing name', {}, 422, 'request.invalid'],
    ['an unknown field', { name: 'Buy wood', completed_at: null }, 422, 'request.invalid'],
    ['a name of 33 characters', { name: 'x'.repeat(33) }, 422, 'request.invalid'],
    ['a name too short once trimmed', { name: '   ab   ' }, 400, 'task.invalid_name'],
    ['a name as a number', { name: 1234 }, 422, 'request.invalid'],
  ])('refuses %s, storing nothing', async (_label, payload, status, code) => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, []);
    expectProblem(await call(ada, 'POST', `/projects/${projectId}/tasks`, payload), status, code);
    expect((await call(ada, 'GET', `/projects/${projectId}`)).json()).toMatchObject({ task_count: 0 });
  });

  it('answers 404 for a project that does not exist', async () => {
    expectProblem(
      await call(aMember(), 'POST', '/projects/424242/tasks', { name: 'Buy wood' }),
      404,
      'project.not_found',
    );
  });
});

describe('GET /api/v1/projects/{id}/tasks', () => {
  it('lists tasks in number order, filtered by completion', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood', 'Cut wood', 'Paint it']);
    await call(ada, 'POST', `/projects/${projectId}/tasks/2/complete`);
    const numbers = async (query: string) =>
      (
        (await call(ada, 'GET', `/projects/${projectId}/tasks${query}`)).json().items as { number: number }[]
      ).map((t) => t.number);
    expect(await numbers('')).toEqual([1, 2, 3]);
    expect(await numbers('?completed=true')).toEqual([2]);
    expect(await numbers('?completed=false')).toEqual([1, 3]);
  });

  it('pages by number with limit and cursor; a cursor past every number ends the list', async () => {
    const ada = aMember();
    const names = Array.from({ length: 5 }, (_, i) => `Task ${i + 1}`);
    const projectId = await aProjectWithTasks(ada, names);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await call(
        ada,
        'GET',
        `/projects/${projectId}/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.statusCode).toBe(200);
      const page = response.json() as { items: { number: number }[]; next_cursor: string | null };
      seen.push(...page.items.map((t) => t.number));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const farCursor = Buffer.from('id:9223372036854775807').toString('base64url');
    const far = await call(ada, 'GET', `/projects/${projectId}/tasks?cursor=${farCursor}`);
    expect(far.statusCode).toBe(200);
    expect(far.json()).toEqual({ items: [], next_cursor: null });
  });

  it.each(['completed=maybe', 'limit=0', 'limit=101', 'cursor=!!'])('answers 422 for %s', async (query) => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, []);
    expect((await call(ada, 'GET', `/projects/${projectId}/tasks?${query}`)).statusCode).toBe(422);
  });
});

describe('GET /api/v1/projects/{id}/tasks/{number}', () => {
  it('returns the task, 404 task.not_found for a number never handed out', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood']);
    const response = await call(ada, 'GET', `/projects/${projectId}/tasks/1`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ number: 1, name: 'Buy wood', completed_at: null });
    for (const n of [2, 2147483647]) {
      expectProblem(await call(ada, 'GET', `/projects/${projectId}/tasks/${n}`), 404, 'task.not_found');
    }
  });

  it.each(['0', '-1', '1.5', 'abc', '2147483648', '1e10'])(
    'answers 422 for the task number %s',
    async (n) => {
      const ada = aMember();
      const projectId = await aProjectWithTasks(ada, ['Buy wood']);
      expectProblem(await call(ada, 'GET', `/projects/${projectId}/tasks/${n}`), 422, 'request.invalid');
    },
  );
});

describe('changing a task', () => {
  it('renames a task; not in an archived project', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood']);
    const renamed = await call(ada, 'PATCH', `/projects/${projectId}/tasks/1`, { name: 'Buy oak' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toEqual({ number: 1, name: 'Buy oak', completed_at: null });
    await call(ada, 'POST', `/projects/${projectId}/tasks/1/complete`);
    await call(ada, 'POST', `/projects/${projectId}/archive`);
    expectProblem(
      await call(ada, 'PATCH', `/projects/${projectId}/tasks/1`, { name: 'Buy elm' }),
      409,
      'project.archived',
    );
    expectProblem(
      await call(ada, 'PATCH', `/projects/${projectId}/tasks/9`, { name: 'Buy elm' }),
      404,
      'task.not_found',
    );
  });

  it('completes idempotently, keeping the first completed_at', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood']);
    const first = await call(ada, 'POST', `/projects/${projectId}/tasks/1/complete`);
    expect(first.statusCode).toBe(200);
    expect(first.json().completed_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await call(ada, 'POST', `/projects/${projectId}/tasks/1/complete`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect((await call(ada, 'GET', `/projects/${projectId}`)).json()).toMatchObject({
      completed_task_count: 1,
    });
    // The read model (completed_at as text, rewritten) answers the same task, to the millisecond.
    expect((await call(ada, 'GET', `/projects/${projectId}/tasks/1`)).json()).toEqual(first.json());
    expect((await call(ada, 'GET', `/projects/${projectId}/tasks`)).json().items).toEqual([first.json()]);
  });

  it('marks incomplete idempotently, refusing beyond the limit with 409', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood', 'Cut wood'], { max_incomplete_tasks: 2 });
    await call(ada, 'POST', `/projects/${projectId}/tasks/1/complete`);
    for (let i = 0; i < 2; i += 1) {
      const response = await call(ada, 'POST', `/projects/${projectId}/tasks/1/incomplete`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ number: 1, name: 'Buy wood', completed_at: null });
    }
    await call(ada, 'POST', `/projects/${projectId}/tasks/1/complete`);
    await call(ada, 'POST', `/projects/${projectId}/tasks`, { name: 'Paint it' });
    expectProblem(
      await call(ada, 'POST', `/projects/${projectId}/tasks/1/incomplete`),
      409,
      'project.task_limit_reached',
    );
  });

  it('answers 404 task.not_found for completing a number never handed out', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood']);
    for (const action of ['complete', 'incomplete']) {
      expectProblem(
        await call(ada, 'POST', `/projects/${projectId}/tasks/2/${action}`),
        404,
        'task.not_found',
      );
    }
  });
});

describe('bad input on the task routes', () => {
  it.each([
    ['PATCH', '/tasks/1', { name: 'Buy oak', done: true }, 422, 'request.invalid'],
    ['PATCH', '/tasks/1', { name: 'ab' }, 422, 'request.invalid'],
    ['PATCH', '/tasks/1', { name: '  ab  ' }, 400, 'task.invalid_name'],
    ['PATCH', '/tasks/0', { name: 'Buy oak' }, 422, 'request.invalid'],
    ['POST', '/tasks/2147483648/complete', undefined, 422, 'request.invalid'],
    ['POST', '/tasks/x/incomplete', undefined, 422, 'request.invalid'],
  ] as const)('%s …%s %j answers %i %s and changes nothing', async (method, path, payload, status, code) => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Buy wood']);
    expectProblem(await call(ada, method, `/projects/${projectId}${path}`, payload), status, code);
    expect((await call(ada, 'GET', `/projects/${projectId}/tasks/1`)).json()).toEqual({
      number: 1,
      name: 'Buy wood',
      completed_at: null,
    });
  });

  it.each(['abc', '0', '99999999999999999999'])('answers 422 for the malformed project id %s', async (id) => {
    expectProblem(await call(aMember(), 'GET', `/projects/${id}/tasks`), 422, 'request.invalid');
  });
});

describe('the counts come from the project row, and match the tasks', () => {
  it('after a mix of adds, completions and reopenings', async () => {
    const ada = aMember();
    const projectId = await aProjectWithTasks(ada, ['Task A1', 'Task B2', 'Task C3', 'Task D4']);
    for (const n of [1, 2, 4]) await call(ada, 'POST', `/projects/${projectId}/tasks/${n}/complete`);
    await call(ada, 'POST', `/projects/${projectId}/tasks/2/incomplete`);
    const view = (await call(ada, 'GET', `/projects/${projectId}`)).json();
    const { rows } = await sql<{ total: string; done: string }>`
      select count(*) as total, count(completed_at) as done from projects.tasks where project_id = ${projectId}`.execute(
      app.database.db,
    );
    expect(view).toMatchObject({ task_count: 4, completed_task_count: 2 });
    expect([Number(rows[0]?.total), Number(rows[0]?.done)]).toEqual([4, 2]);
  });
});
