import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.ts';
import { LogCapture } from '../../../test/support/log-capture.ts';
import { type App, migrationFolders } from '../../app.ts';
import { migrateDown } from '../infrastructure/migrator.ts';

describe('the HTTP server', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp({ env: { CORS_ORIGINS: 'https://app.example.com', CORS_ALLOW_CREDENTIALS: 'true' } });
  });
  afterAll(() => app.close());

  it('answers liveness without touching anything', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/api/v1/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when the database answers and every migration is applied', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('echoes a well-formed X-Request-Id and makes one up otherwise', async () => {
    const given = await app.http.inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const forged = await app.http.inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: { 'x-request-id': 'a b\u0001' },
    });
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const allowed = await app.http.inject({
      method: 'OPTIONS',
      url: '/api/v1/members',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const other = await app.http.inject({
      method: 'OPTIONS',
      url: '/api/v1/members',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives a URL the router cannot read the CORS headers of any other answer', async () => {
    const cors = (headers: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
      );
    for (const origin of ['https://app.example.com', 'https://evil.example.com', undefined]) {
      const headers = origin === undefined ? {} : { origin };
      // A 404 goes through the hooks, so @fastify/cors set its headers: the reference.
      const routed = await app.http.inject({ method: 'GET', url: '/api/v1/books/x/y', headers });
      const broken = await app.http.inject({ method: 'GET', url: '/api/v1/books/%', headers });
      const long = await app.http.inject({ method: 'GET', url: `/api/v1/books/${'1'.repeat(120)}`, headers });
      expect([routed.statusCode, broken.statusCode, long.statusCode]).toEqual([404, 400, 414]);
      expect(cors(broken.headers), String(origin)).toEqual(cors(routed.headers));
      expect(cors(long.headers), String(origin)).toEqual(cors(routed.headers));
    }
    const allowed = await app.http.inject({
      method: 'GET',
      url: '/api/v1/books/%',
      headers: { origin: 'https://app.example.com' },
    });
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': expect.stringContaining('x-request-id'),
    });
  });

  it('answers a CORS preflight for a URL the router cannot read as any other preflight', async () => {
    const preflight = (url: string, origin: string) =>
      app.http.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const cors = (headers: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
      );
    for (const origin of ['https://app.example.com', 'https://evil.example.com']) {
      const routed = await preflight('/api/v1/books/42', origin);
      for (const url of ['/api/v1/books/%', '/api/v1/books/%E0%A4%A?title=x']) {
        const broken = await preflight(url, origin);
        expect(broken.statusCode, url).toBe(routed.statusCode);
        expect(cors(broken.headers), url).toEqual(cors(routed.headers));
      }
    }
    expect((await preflight('/api/v1/books/%', 'https://app.example.com')).statusCode).toBe(204);
    // Not a preflight (no Access-Control-Request-Method): the URL is still refused.
    const plain = await app.http.inject({
      method: 'OPTIONS',
      url: '/api/v1/books/%',
      headers: { origin: 'https://app.example.com' },
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.json()).toMatchObject({ code: 'request.malformed' });
  });

  it('answers unknown routes with a problem+json 404', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'route.not_found', status: 404 });
  });

  it('serves Swagger UI, ReDoc and its bundle from here, with no external links', async () => {
    const docs = await app.http.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    const redoc = await app.http.inject({ method: 'GET', url: '/redoc' });
    expect(redoc.statusCode).toBe(200);
    expect(redoc.body).toContain('/openapi.json');
    expect(redoc.body).not.toMatch(/https?:\/\//);
    const bundle = await app.http.inject({ method: 'GET', url: '/redoc/redoc.standalone.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.rawPayload.length).toBeGreaterThan(100_000);
  });

  it('serves every file the Swagger UI page loads, with its type, and nothing else from that folder', async () => {
    const bare = await app.http.inject({ method: 'GET', url: '/docs' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/docs/');
    const page = (await app.http.inject({ method: 'GET', url: '/docs/' })).body;
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toEqual(
      expect.arrayContaining([
        '/docs/static/swagger-ui.css',
        '/docs/static/swagger-ui-bundle.js',
        '/docs/static/swagger-ui-standalone-preset.js',
        '/docs/static/swagger-initializer.js',
      ]),
    );
    for (const url of assets) {
      const asset = await app.http.inject({ method: 'GET', url });
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers['content-type'], url).toMatch(
        url.endsWith('.css') ? /^text\/css/ : url.endsWith('.png') ? /^image\/png/ : /javascript/,
      );
      expect(asset.rawPayload.length, url).toBeGreaterThan(100);
    }
    const initializer = await app.http.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(initializer.body).toContain("url: '/openapi.json'");
    for (const url of [
      '/docs/static/package.json',
      '/docs/static/..%2Fpackage.json',
      '/docs/static/index.html',
    ]) {
      const refused = await app.http.inject({ method: 'GET', url });
      expect(refused.statusCode, url).toBe(404);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('publishes OpenAPI 3.1 where every route has a summary, tags, responses and body examples', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const spec = response.json() as {
      openapi: string;
      info: { description: string };
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(spec.openapi).toBe('3.1.0');
    // The answers no single operation lists, because any of them may give them.
    for (const code of [
      'request.malformed',
      'request.uri_too_long',
      'request.too_large',
      'service.unavailable',
      'internal',
    ])
      expect(spec.info.description).toContain(code);
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(8);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.summary, where).toEqual(expect.any(String));
      expect((op.tags as string[] | undefined)?.length, where).toBeGreaterThan(0);
      expect(Object.keys(op.responses as object).length, where).toBeGreaterThan(0);
      type Media = { schema: { examples?: unknown[] }; example?: unknown; examples?: unknown };
      const body = op.requestBody as { content: Record<string, Media> } | undefined;
      if (body !== undefined) {
        const media = Object.values(body.content);
        expect(
          media.some(
            (m) =>
              m.example !== undefined || m.examples !== undefined || (m.schema.examples?.length ?? 0) > 0,
          ),
          `${where} body has examples`,
        ).toBe(true);
      }
    }
  });
});

describe('readiness with pending migrations', () => {
  it('answers 503 while a migration is not applied', async () => {
    const app = await testApp();
    try {
      await migrateDown(app.database.db, migrationFolders);
      const response = await app.http.inject({ method: 'GET', url: '/api/v1/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 'unavailable', checks: { migrations: 'failing' } });
    } finally {
      await app.close();
    }
  });
});

describe('in production, where schemas compile on their first use', () => {
  it('validates requests and serializes responses exactly as in development', async () => {
    const production = await testApp({
      env: { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-enough-length-0123456789' },
    });
    try {
      const bad = { email: 'not-an-email', passwd: 'x', name: 'P', admin: true };
      const development = await testApp();
      const inDevelopment = await development.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: bad,
      });
      await development.close();
      expect(inDevelopment.statusCode).toBe(422);
      for (let i = 0; i < 2; i += 1) {
        const refused = await production.http.inject({
          method: 'POST',
          url: '/api/v1/members',
          payload: bad,
        });
        expect(refused.statusCode).toBe(422);
        expect(refused.json().errors).toEqual(inDevelopment.json().errors);
        expect(refused.json().errors.length).toBeGreaterThanOrEqual(2);
      }
      const created = await production.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: { email: 'prod@example.com', passwd: 'Correct-Horse-9', name: 'Prod' },
      });
      expect(created.statusCode).toBe(201);
      expect(Object.keys(created.json()).sort()).toEqual([
        'created_at',
        'email',
        'id',
        'is_superuser',
        'name',
        'updated_at',
      ]);
      const badId = await production.http.inject({ method: 'GET', url: '/api/v1/books/abc' });
      expect(badId.statusCode).toBe(422);
    } finally {
      await production.close();
    }
  });
});

describe('logging', () => {
  it('echoes SQL statements with the request id of the request that ran them (SQL_ECHO=true)', async () => {
    const logs = new LogCapture();
    const app = await testApp({ env: { SQL_ECHO: 'true', LOG_LEVEL: 'info' }, logStream: logs });
    try {
      await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        headers: { 'x-request-id': 'req-sql-1' },
        payload: { email: 'echo@example.com', passwd: 'Correct-Horse-9', name: 'Echo' },
      });
      const statements = logs.matching((line) => line.msg === 'sql' && line.reqId === 'req-sql-1');
      expect(statements.map((line) => line.sql)).toEqual(
        // The unit of work sends the member and its events as one statement (docs/adr/0005).
        expect.arrayContaining([
          expect.stringMatching(/^(\/\* prepared[^*]*\*\/ )?with .*insert into "accounts"\."members"/s),
        ]),
      );
      // One access-log line per request, written when it is answered, with the request and the outcome.
      const accessLines = logs.matching((line) => line.reqId === 'req-sql-1' && line.msg !== 'sql');
      expect(accessLines).toEqual([
        expect.objectContaining({
          msg: 'request completed',
          req: expect.objectContaining({ method: 'POST', url: '/api/v1/members' }),
          res: { statusCode: 201 },
          responseTime: expect.any(Number),
        }),
      ]);
    } finally {
      await app.close();
    }
  });

  it('never logs SQL without SQL_ECHO, nor an Authorization header', async () => {
    const logs = new LogCapture();
    const app = await testApp({ env: { LOG_LEVEL: 'trace' }, logStream: logs });
    try {
      await app.http.inject({
        method: 'GET',
        url: '/api/v1/health',
        headers: { authorization: 'Bearer secret-token' },
      });
      expect(logs.matching((line) => line.msg === 'sql')).toEqual([]);
      expect(JSON.stringify(logs.lines)).not.toContain('secret-token');
    } finally {
      await app.close();
    }
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads', async () => {
    const source = await readFile(new URL('../../config.ts', import.meta.url), 'utf8');
    const example = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const names = [...source.matchAll(/\(\s*'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(20);
    for (const name of new Set(names)) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
