import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { onServer } from '../../../../test/support/database.ts';
import { bearer } from '../../../../test/support/projects.ts';
import type { App } from '../../../app.ts';
import { Id } from '../../../shared/domain/id.ts';

/**
 * Real parallel HTTP requests against a listening server on PostgreSQL (a pool of connections,
 * so the transactions really overlap). On PGlite they would only run one after another.
 */
describe.runIf(onServer)('concurrent requests on one project (PostgreSQL server)', () => {
  let app: App;
  let base: string;
  const headers = { 'content-type': 'application/json' };
  let auth: { authorization: string };

  beforeAll(async () => {
    app = await testApp({ env: { DATABASE_POOL_SIZE: '20' } });
    await app.http.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}/api/v1`;
    auth = bearer(app, Id.of('8001'));
  });
  afterAll(() => app.close());

  async function send(method: string, path: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : headers) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function aProject(body: Record<string, unknown> = {}): Promise<string> {
    const created = await send('POST', '/projects', { name: 'Race track', ...body });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  it('answers ten simultaneous "add task" requests with ten 201s and the numbers 1 to 10', async () => {
    const id = await aProject();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => send('POST', `/projects/${id}/tasks`, { name: `Task ${i + 1}` })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(responses.map((r) => r.body.number as number).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect((await send('GET', `/projects/${id}`)).body).toMatchObject({
      task_count: 10,
      completed_task_count: 0,
    });
  });

  it('holds the incomplete-task limit under a burst: exactly the limit gets in, the rest get 409', async () => {
    const id = await aProject({ max_incomplete_tasks: 4 });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => send('POST', `/projects/${id}/tasks`, { name: `Task ${i + 1}` })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(4).fill(201), ...Array(6).fill(409)]);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.body.code).toBe('project.task_limit_reached');
    }
    expect((await send('GET', `/projects/${id}`)).body).toMatchObject({ task_count: 4 });
  });

  it('lets a rename and an archive race: both apply in some order, or the rename meets the archive (409)', async () => {
    for (let round = 0; round < 8; round += 1) {
      const id = await aProject();
      const [renamed, archived] = await Promise.all([
        send('PATCH', `/projects/${id}`, { name: `Renamed ${round}` }),
        send('POST', `/projects/${id}/archive`),
      ]);
      expect(archived.status).toBe(200);
      const stored = (await send('GET', `/projects/${id}`)).body;
      expect(stored.status).toBe('archived');
      if (renamed.status === 200) {
        expect(stored.name).toBe(`Renamed ${round}`);
      } else {
        expect(renamed).toMatchObject({ status: 409, body: { code: 'project.archived' } });
        expect(stored.name).toBe('Race track');
      }
    }
  });

  it('completes one task from two simultaneous requests once, both answering the same completed_at', async () => {
    const id = await aProject();
    await send('POST', `/projects/${id}/tasks`, { name: 'Only once' });
    const [a, b] = await Promise.all([
      send('POST', `/projects/${id}/tasks/1/complete`),
      send('POST', `/projects/${id}/tasks/1/complete`),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.completed_at).toBe(b.body.completed_at);
    expect((await send('GET', `/projects/${id}`)).body).toMatchObject({ completed_task_count: 1 });
  });
});
