export { expectProblem } from './problem.ts';

import { expect } from 'vitest';
import type { App } from '../../src/app.ts';
import { Id } from '../../src/shared/domain/id.ts';

/**
 * The catalog API of a test app, as a signed-in member would call it: `write` sends a bearer
 * token, `read` sends none. `relay()` runs the app's outbox relay until every due delivery is done.
 */
export function catalogClient(app: App) {
  const { token } = app.accessTokens.issue({ memberId: Id.of('123'), role: 'member' });
  const url = (path: string) => `/api/v1${path}`;
  return {
    token,
    read: (path: string, headers: Record<string, string> = {}) =>
      app.http.inject({ method: 'GET', url: url(path), headers }),
    write: (
      method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
      path: string,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) =>
      app.http.inject({
        method,
        url: url(path),
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      }),
    relay: () => app.relay.drain(),
  };
}

/**
 * Asserts that a 201 answer is what a read of the resource its Location names answers: the same
 * body and ETag, and 304 for that ETag (adding answers without reading back what it stored).
 */
export async function expectAnsweredAsRead(
  app: App,
  created: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
): Promise<void> {
  expect(created.statusCode).toBe(201);
  const url = String(created.headers.location);
  const etag = String(created.headers.etag);
  const read = await app.http.inject({ method: 'GET', url });
  expect(read.statusCode).toBe(200);
  expect(created.json()).toEqual(read.json());
  expect(read.headers.etag).toBe(etag);
  expect((await app.http.inject({ method: 'GET', url, headers: { 'if-none-match': etag } })).statusCode).toBe(
    304,
  );
}
