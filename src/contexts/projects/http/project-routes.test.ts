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

let members = 5000;
/** A member of their own for each test, so tests never see each other's projects. */
function aMember() {
  members += 1;
  const id = Id.of(String(members));
  return { id, headers: bearer(app, id) };
}

type Member = ReturnType<typeof aMember>;

function call(member: Member | undefined, method: string, url: string, payload?: unknown) {
  return app.http.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: member?.headers ?? {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function createProject(member: Member, body: Record<string, unknown> = {}) {
  const response = await call(member, 'POST', '/projects', { name: 'Garden shed', ...body });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; name: string };
}

async function addTasks(member: Member, projectId: string, ...names: string[]) {
  for (const name of names) {
    expect((await call(member, 'POST', `/projects/${projectId}/tasks`, { name })).statusCode).toBe(201);
  }
}

async function projectRows(): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from projects.projects`.execute(
    app.database.db,
  );
  return Number(rows[0]?.n);
}

describe('every projects route needs a signed-in member', () => {
  const routes: [string, string][] = [
    ['POST', '/projects'],
    ['GET', '/projects'],
    ['GET', '/projects/1'],
    ['PATCH', '/projects/1'],
    ['POST', '/projects/1/archive'],
    ['POST', '/projects/1/unarchive'],
    ['DELETE', '/projects/1'],
    ['POST', '/projects/1/tasks'],
    ['GET', '/projects/1/tasks'],
    ['GET', '/projects/1/tasks/1'],
    ['PATCH', '/projects/1/tasks/1'],
    ['POST', '/projects/1/tasks/1/complete'],
    ['POST', '/projects/1/tasks/1/incomplete'],
  ];

  it.each(routes)('%s %s answers 401 with WWW-Authenticate without a token', async (method, url) => {
    const response = await call(
      undefined,
      method,
      url,
      method === 'GET' || method === 'DELETE' ? undefined : {},
    );
    expectProblem(response, 401, 'auth.unauthenticated');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it.each(routes)('%s %s answers 401 for a forged token', async (method, url) => {
    const response = await app.http.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.' },
    });
    expectProblem(response, 401, 'auth.invalid_token');
  });
});

describe('POST /api/v1/projects', () => {
  it('creates a project of the caller: 201, Location, and the project with zero counts', async () => {
    const ada = aMember();
    const response = await call(ada, 'POST', '/projects', {
      name: '  Garden shed ',
      max_incomplete_tasks: 3,
    });
    expect(response.statusCode).toBe(201);
    const project = response.json();
    expect(project).toEqual({
      id: expect.stringMatching(/^[1-9][0-9]+$/),
      name: 'Garden shed',
      status: 'active',
      max_incomplete_tasks: 3,
      task_count: 0,
      completed_task_count: 0,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      updated_at: project.created_at,
    });
    expect(response.headers.location).toBe(`/api/v1/projects/${project.id}`);
    // The read model (instants as text, rewritten) answers the very same project, to the millisecond.
    const read = await call(ada, 'GET', `/projects/${project.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(project);
    const { rows } = await sql<{ owner_id: string }>`
      select owner_id from projects.projects where id = ${project.id}`.execute(app.database.db);
    expect(rows[0]?.owner_id).toBe(ada.id.toString());
  });

  it('creates a project without a limit when none or null is given', async () => {
    const ada = aMember();
    expect((await createProject(ada)) as unknown).toMatchObject({ max_incomplete_tasks: null });
    expect((await createProject(ada, { max_incomplete_tasks: null })) as unknown).toMatchObject({
      max_incomplete_tasks: null,
    });
  });

  it('stores names with SQL and markup verbatim and answers them back as JSON', async () => {
    const ada = aMember();
    const name = `x'); drop table t;--<b>`;
    const project = await createProject(ada, { name });
    const got = await call(ada, 'GET', `/projects/${project.id}`);
    expect(got.json().name).toBe(name);
  });

  describe('refuses bad input with 4xx problem+json and stores nothing', () => {
    const cases: [string, unknown, number, string][] = [
      ['a missing name', {}, 422, 'request.invalid'],
      ['an unknown field', { name: 'Garden shed', owner_id: '1' }, 422, 'request.invalid'],
      ['a name of 3 characters', { name: 'abc' }, 422, 'request.invalid'],
      ['a name of 33 characters', { name: 'x'.repeat(33) }, 422, 'request.invalid'],
      ['a name that is blank once trimmed', { name: '          ' }, 400, 'project.invalid_name'],
      ['a name of 3 characters once trimmed', { name: '  abc  ' }, 400, 'project.invalid_name'],
      ['a name with a control character', { name: 'Garden\nshed' }, 400, 'project.invalid_name'],
      ['a number for a name', { name: 12345 }, 422, 'request.invalid'],
      ['a limit of 0', { name: 'Garden shed', max_incomplete_tasks: 0 }, 422, 'request.invalid'],
      ['a limit of 1001', { name: 'Garden shed', max_incomplete_tasks: 1001 }, 422, 'request.invalid'],
      ['a limit of 1e308', { name: 'Garden shed', max_incomplete_tasks: 1e308 }, 422, 'request.invalid'],
      ['a fractional limit', { name: 'Garden shed', max_incomplete_tasks: 1.5 }, 422, 'request.invalid'],
      ['a limit as text', { name: 'Garden shed', max_incomplete_tasks: '5' }, 422, 'request.invalid'],
      ['an array', [{ name: 'Garden shed' }], 422, 'request.invalid'],
      ['null', null, 422, 'request.invalid'],
    ];
    it.each(cases)('%s', async (_label, payload, status, code) => {
      const before = await projectRows();
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { ...aMember().headers, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      expectProblem(response, status, code);
      expect(await projectRows()).toBe(before);
    });

    it('malformed JSON is 400, text/plain is 415', async () => {
      const { headers } = aMember();
      const malformed = await app.http.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: '{"name": "Garden',
      });
      expectProblem(malformed, 400, 'request.malformed_json');
      const text = await app.http.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { ...headers, 'content-type': 'text/plain' },
        payload: 'Garden shed',
      });
      expectProblem(text, 415, 'request.unsupported_media_type');
    });
  });
});

describe('GET /api/v1/projects', () => {
  it('lists only the caller’s projects, never deleted ones, filtered by status', async () => {
    const ada = aMember();
    const grace = aMember();
    const active = await createProject(ada, { name: 'Active one' });
    const archived = await createProject(ada, { name: 'Archived one' });
    const deleted = await createProject(ada, { name: 'Deleted one' });
    await createProject(grace, { name: 'Not Ada’s' });
    await call(ada, 'POST', `/projects/${archived.id}/archive`);
    await call(ada, 'POST', `/projects/${deleted.id}/archive`);
    expect((await call(ada, 'DELETE', `/projects/${deleted.id}`)).statusCode).toBe(204);

    const names = async (query: string) =>
      ((await call(ada, 'GET', `/projects${query}`)).json().items as { name: string }[]).map((p) => p.name);
    expect(await names('')).toEqual(['Active one', 'Archived one']);
    expect(await names('?status=active')).toEqual(['Active one']);
    expect(await names('?status=archived')).toEqual(['Archived one']);
    expect(active.id < archived.id).toBe(true);
  });

  it('shows each project’s task counts', async () => {
    const ada = aMember();
    const project = await createProject(ada);
    await addTasks(ada, project.id, 'Buy wood', 'Cut wood', 'Paint it');
    await call(ada, 'POST', `/projects/${project.id}/tasks/2/complete`);
    const [listed] = (await call(ada, 'GET', '/projects')).json().items;
    expect(listed).toMatchObject({ id: project.id, task_count: 3, completed_task_count: 1 });
  });

  it('pages through every project exactly once with limit and cursor', async () => {
    const ada = aMember();
    const made: string[] = [];
    for (let i = 1; i <= 5; i += 1) made.push((await createProject(ada, { name: `Project ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await call(ada, 'GET', `/projects?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = response.json() as { items: { id: string }[]; next_cursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(made);
  });

  it.each(['status=deleted', 'status=', 'limit=0', 'limit=101', 'limit=1e20', 'cursor=***', 'cursor=bm9wZQ'])(
    'answers 422 for %s',
    async (query) => {
      const response = await call(aMember(), 'GET', `/projects?${query}`);
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    },
  );
});

describe('GET /api/v1/projects/{id}', () => {
  it('returns the caller’s project with its counts', async () => {
    const ada = aMember();
    const project = await createProject(ada, { max_incomplete_tasks: 4 });
    await addTasks(ada, project.id, 'Buy wood', 'Cut wood');
    await call(ada, 'POST', `/projects/${project.id}/tasks/1/complete`);
    const response = await call(ada, 'GET', `/projects/${project.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: project.id,
      name: 'Garden shed',
      status: 'active',
      max_incomplete_tasks: 4,
      task_count: 2,
      completed_task_count: 1,
    });
  });

  it.each(['999', '9223372036854775807', '9999999999999999999'])('answers 404 for id %s', async (id) => {
    expectProblem(await call(aMember(), 'GET', `/projects/${id}`), 404, 'project.not_found');
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999999999999', '%27%20or%201%3D1'])(
    'answers 422 for the malformed id %s',
    async (id) => {
      expectProblem(await call(aMember(), 'GET', `/projects/${id}`), 422, 'request.invalid');
    },
  );
});

describe('PATCH /api/v1/projects/{id}', () => {
  it('renames and changes the limit; null lifts it', async () => {
    const ada = aMember();
    const project = await createProject(ada, { max_incomplete_tasks: 2 });
    const renamed = await call(ada, 'PATCH', `/projects/${project.id}`, { name: 'Tool shed' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Tool shed', max_incomplete_tasks: 2 });
    const lifted = await call(ada, 'PATCH', `/projects/${project.id}`, { max_incomplete_tasks: null });
    expect(lifted.json()).toMatchObject({ name: 'Tool shed', max_incomplete_tasks: null });
  });

  it('answers 409 for an archived project and for a limit below the open tasks', async () => {
    const ada = aMember();
    const project = await createProject(ada);
    await addTasks(ada, project.id, 'Buy wood', 'Cut wood');
    const tooLow = expectProblem(
      await call(ada, 'PATCH', `/projects/${project.id}`, { max_incomplete_tasks: 1 }),
      409,
      'project.task_limit_too_low',
    );
    expect(tooLow.detail).toMatch(/2 tasks are incomplete/);
    const empty = await createProject(ada);
    await call(ada, 'POST', `/projects/${empty.id}/archive`);
    expectProblem(
      await call(ada, 'PATCH', `/projects/${empty.id}`, { name: 'Tool shed' }),
      409,
      'project.archived',
    );
  });

  it.each([
    ['an empty body', {}],
    ['an unknown field', { status: 'archived' }],
    ['a short name', { name: 'abc' }],
    ['a limit of 1001', { max_incomplete_tasks: 1001 }],
  ])('answers 422 for %s', async (_label, payload) => {
    const ada = aMember();
    const project = await createProject(ada);
    expectProblem(await call(ada, 'PATCH', `/projects/${project.id}`, payload), 422, 'request.invalid');
  });
});

describe('archive, unarchive and delete', () => {
  it('refuses to archive with incomplete tasks, saying how many, then archives once all are done', async () => {
    const ada = aMember();
    const project = await createProject(ada);
    await addTasks(ada, project.id, 'Buy wood', 'Cut wood', 'Paint it');
    await call(ada, 'POST', `/projects/${project.id}/tasks/1/complete`);
    const refused = expectProblem(
      await call(ada, 'POST', `/projects/${project.id}/archive`),
      409,
      'project.incomplete_tasks',
    );
    expect(refused.detail).toMatch(/2 tasks are not complete/);
    for (const n of [2, 3]) await call(ada, 'POST', `/projects/${project.id}/tasks/${n}/complete`);
    const archived = await call(ada, 'POST', `/projects/${project.id}/archive`);
    expect(archived.statusCode).toBe(200);
    expect(archived.json()).toMatchObject({ status: 'archived', task_count: 3, completed_task_count: 3 });
    expectProblem(await call(ada, 'POST', `/projects/${project.id}/archive`), 409, 'project.archived');
  });

  it('unarchives only an archived project', async () => {
    const ada = aMember();
    const project = await createProject(ada);
    expectProblem(await call(ada, 'POST', `/projects/${project.id}/unarchive`), 409, 'project.not_archived');
    await call(ada, 'POST', `/projects/${project.id}/archive`);
    const response = await call(ada, 'POST', `/projects/${project.id}/unarchive`);
    expect(response.statusCode).toBe(200);
    expect(response.json().status).toBe('active');
  });

  it('deletes only an archived project: 204, then 404 everywhere, the rows kept', async () => {
    const ada = aMember();
    const project = await createProject(ada);
    await addTasks(ada, project.id, 'Buy wood');
    expectProblem(await call(ada, 'DELETE', `/projects/${project.id}`), 409, 'project.not_archived');
    await call(ada, 'POST', `/projects/${project.id}/tasks/1/complete`);
    await call(ada, 'POST', `/projects/${project.id}/archive`);
    const deleted = await call(ada, 'DELETE', `/projects/${project.id}`);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    for (const [method, url] of [
      ['GET', `/projects/${project.id}`],
      ['DELETE', `/projects/${project.id}`],
      ['POST', `/projects/${project.id}/unarchive`],
      ['GET', `/projects/${project.id}/tasks`],
      ['GET', `/projects/${project.id}/tasks/1`],
    ] as const) {
      expectProblem(await call(ada, method, url), 404, 'project.not_found');
    }
    const { rows } = await sql<{ deleted_at: Date | null; tasks: string }>`
      select deleted_at, (select count(*) from projects.tasks where project_id = p.id) as tasks
        from projects.projects p where id = ${project.id}`.execute(app.database.db);
    expect(rows[0]?.deleted_at).toBeInstanceOf(Date);
    expect(rows[0]?.tasks).toBe('1');
  });
});

describe('another member’s project does not exist for the caller', () => {
  it('answers 404 project.not_found on every route and changes nothing', async () => {
    const ada = aMember();
    const grace = aMember();
    const project = await createProject(ada, { max_incomplete_tasks: 5 });
    await addTasks(ada, project.id, 'Buy wood', 'Cut wood');
    await call(ada, 'POST', `/projects/${project.id}/tasks/1/complete`);
    const before = (await call(ada, 'GET', `/projects/${project.id}`)).json();
    const { rows: outboxBefore } = await sql<{ n: string }>`
      select count(*) as n from shared.outbox where aggregate_id = ${project.id}`.execute(app.database.db);

    const attempts: [string, string, unknown?][] = [
      ['GET', `/projects/${project.id}`],
      ['PATCH', `/projects/${project.id}`, { name: 'Mine now' }],
      ['POST', `/projects/${project.id}/archive`],
      ['POST', `/projects/${project.id}/unarchive`],
      ['DELETE', `/projects/${project.id}`],
      ['POST', `/projects/${project.id}/tasks`, { name: 'Sneak in' }],
      ['GET', `/projects/${project.id}/tasks`],
      ['GET', `/projects/${project.id}/tasks/1`],
      ['PATCH', `/projects/${project.id}/tasks/1`, { name: 'Sneak in' }],
      ['POST', `/projects/${project.id}/tasks/1/complete`],
      ['POST', `/projects/${project.id}/tasks/2/complete`],
      ['POST', `/projects/${project.id}/tasks/1/incomplete`],
    ];
    for (const [method, url, payload] of attempts) {
      expectProblem(await call(grace, method, url, payload), 404, 'project.not_found');
    }
    expect((await call(grace, 'GET', '/projects')).json().items).toEqual([]);
    expect((await call(ada, 'GET', `/projects/${project.id}`)).json()).toEqual(before);
    const { rows: outboxAfter } = await sql<{ n: string }>`
      select count(*) as n from shared.outbox where aggregate_id = ${project.id}`.execute(app.database.db);
    expect(outboxAfter).toEqual(outboxBefore);
  });
});

describe('every projects command stores its events in the outbox', () => {
  it('writes one outbox row per change, in order', async () => {
    const ada = aMember();
    const project = await createProject(ada);
    await call(ada, 'PATCH', `/projects/${project.id}`, { name: 'Tool shed', max_incomplete_tasks: 3 });
    await addTasks(ada, project.id, 'Buy wood');
    await call(ada, 'PATCH', `/projects/${project.id}/tasks/1`, { name: 'Buy oak' });
    await call(ada, 'POST', `/projects/${project.id}/tasks/1/complete`);
    await call(ada, 'POST', `/projects/${project.id}/tasks/1/incomplete`);
    await call(ada, 'POST', `/projects/${project.id}/tasks/1/complete`);
    await call(ada, 'POST', `/projects/${project.id}/archive`);
    await call(ada, 'POST', `/projects/${project.id}/unarchive`);
    await call(ada, 'POST', `/projects/${project.id}/archive`);
    await call(ada, 'DELETE', `/projects/${project.id}`);
    const { rows } = await sql<{ name: string; aggregate_type: string }>`
      select name, aggregate_type from shared.outbox where aggregate_id = ${project.id} order by id`.execute(
      app.database.db,
    );
    expect(rows.every((r) => r.aggregate_type === 'project')).toBe(true);
    expect(rows.map((r) => r.name)).toEqual([
      'projects.project_created',
      'projects.project_renamed',
      'projects.incomplete_task_limit_changed',
      'projects.task_added',
      'projects.task_renamed',
      'projects.task_completed',
      'projects.task_reopened',
      'projects.task_completed',
      'projects.project_archived',
      'projects.project_unarchived',
      'projects.project_archived',
      'projects.project_deleted',
    ]);
  });
});
