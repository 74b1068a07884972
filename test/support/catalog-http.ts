export { expectProblem } from './problem.ts';

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
