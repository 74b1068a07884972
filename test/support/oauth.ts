import type { App } from '../../src/app.ts';

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}

/** POSTs a form-encoded token request, as RFC 6749 clients do. */
export async function tokenRequest(
  app: App,
  params: Record<string, string>,
  options: { remoteAddress?: string } = {},
): Promise<TokenAnswer> {
  const response = await app.http.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(params).toString(),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

export function signIn(
  app: App,
  username: string,
  password: string,
  options: { remoteAddress?: string } = {},
) {
  return tokenRequest(app, { grant_type: 'password', username, password }, options);
}

export function refresh(app: App, refreshToken: string) {
  return tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken });
}
