import { createVerifier } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { ConfigError } from '../../src/config.ts';
import { Id } from '../../src/shared/domain/id.ts';
import { testApp } from '../support/app.ts';
import { signIn } from '../support/oauth.ts';

type Operation = { security?: unknown[]; responses?: Record<string, unknown> };
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

const SECRET = 'an-operator-chosen-secret-of-more-than-32-bytes';
let app: App;
beforeAll(async () => {
  app = await testApp({
    env: {
      JWT_SECRET: SECRET,
      FIRST_SUPERUSER_EMAIL: 'root@example.com',
      FIRST_SUPERUSER_PASSWORD: 'First-Root-Pass-1!',
    },
  });
});
afterAll(() => app.close());

async function openApi(): Promise<OpenApi> {
  return (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
}

describe('authentication across the API', () => {
  it('declares the OAuth2 password flow, so Swagger UI can "Authorize"', async () => {
    expect((await openApi()).components.securitySchemes).toEqual({
      OAuth2PasswordBearer: {
        type: 'oauth2',
        flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } },
      },
    });
  });

  it('answers 401 with a Bearer challenge on every operation that declares security, without a token', async () => {
    const { paths } = await openApi();
    const secured = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => (operation.security ?? []).length > 0)
        .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
    expect(secured.length).toBeGreaterThanOrEqual(7);
    for (const { method, path, operation } of secured) {
      const url = path.replace(/\{[^}]+\}/g, '1');
      const response = await app.http.inject({ method: method as 'GET', url });
      expect({ route: `${method} ${path}`, status: response.statusCode }).toEqual({
        route: `${method} ${path}`,
        status: 401,
      });
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(Object.keys(operation.responses ?? {})).toContain('401');
    }
  });

  it('signs access tokens with JWT_SECRET when it is given', async () => {
    const { body } = await signIn(app, 'root@example.com', 'First-Root-Pass-1!');
    const verify = createVerifier({ key: SECRET, algorithms: ['HS256'] });
    expect(verify(String(body.access_token))).toMatchObject({
      role: 'superuser',
      iss: 'bounded',
      aud: 'bounded-api',
    });
  });
});

describe('the first superuser (FIRST_SUPERUSER_EMAIL / FIRST_SUPERUSER_PASSWORD)', () => {
  it('is created at start-up and can sign in as a superuser', async () => {
    const { status, body } = await signIn(app, 'root@example.com', 'First-Root-Pass-1!');
    expect(status).toBe(200);
    const claims = JSON.parse(Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString());
    expect(claims.role).toBe('superuser');
    expect(Id.tryParse(claims.sub)).toBeDefined();
  });

  it('stops start-up with one line naming the variable when the password breaks the policy, never printing it', async () => {
    const attempt = testApp({
      env: { FIRST_SUPERUSER_EMAIL: 'root@example.com', FIRST_SUPERUSER_PASSWORD: 'rootroot' },
    });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(
      /^Invalid FIRST_SUPERUSER_PASSWORD \(value hidden\): The password must/,
    );
    await attempt.catch((error: Error) => {
      expect(error.message).not.toContain('rootroot');
      expect(error.message).not.toContain('\n');
    });
  });
});

describe('security headers', () => {
  it('sends a Content-Security-Policy that lets /docs and /redoc run from our own origin', async () => {
    for (const url of ['/docs/', '/redoc']) {
      const response = await app.http.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=/);
    }
  });

  it('locks API responses down completely: nothing in them may load, run, frame or be sniffed', async () => {
    for (const url of ['/api/v1/health', '/api/v1/members', '/api/v1/no-such-route', '/openapi.json']) {
      const response = await app.http.inject({ method: 'GET', url });
      expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(String(response.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('needs no inline script on either documentation page', async () => {
    for (const url of ['/docs/', '/redoc']) {
      const html = (await app.http.inject({ method: 'GET', url })).body;
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].filter(
        (match) => match[1]!.trim() !== '',
      );
      expect(inline).toEqual([]);
      expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
    }
  });
});
