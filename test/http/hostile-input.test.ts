import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { testApp } from '../support/app.ts';
import { catalogClient } from '../support/catalog-http.ts';
import { LogCapture } from '../support/log-capture.ts';
import { expectProblem } from '../support/problem.ts';

/**
 * Input a QA probe found answered 500, or not as problem+json: each is refused with the right
 * status and nothing internal, and nothing of it is stored.
 */
describe('hostile input, through the whole app', () => {
  let app: App;
  const logs = new LogCapture();
  beforeAll(async () => {
    app = await testApp({ env: { LOG_LEVEL: 'warn' }, logStream: logs });
  });
  afterAll(() => app.close());

  const unhandled = () => logs.matching((line) => (line.level as number) >= 50);

  it('refuses a NUL character in a query parameter: 422 naming it (PostgreSQL text cannot hold one)', async () => {
    for (const url of [
      '/api/v1/books?title=%00',
      '/api/v1/books?title=ab%00c',
      '/api/v1/authors?name=a%00',
    ]) {
      const body = expectProblem(await app.http.inject({ method: 'GET', url }), 422, 'request.invalid');
      expect(body.errors, url).toEqual([
        {
          path: `querystring:/${url.includes('title') ? 'title' : 'name'}`,
          message: expect.stringMatching(/NUL/),
        },
      ]);
    }
    expect(unhandled()).toEqual([]);
  });

  it('refuses a body nested 20,000 deep as any other wrong body, on JSON and OAuth2 routes alike', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const json = { 'content-type': 'application/json' };
    const member = await app.http.inject({
      method: 'POST',
      url: '/api/v1/members',
      headers: json,
      payload: deep,
    });
    expectProblem(member, 422, 'request.invalid');
    const nested = `{"email":"x@example.com","passwd":"Correct-Horse-9","name":${deep}}`;
    expectProblem(
      await app.http.inject({ method: 'POST', url: '/api/v1/members', headers: json, payload: nested }),
      422,
      'request.invalid',
    );
    const token = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: json,
      payload: deep,
    });
    expect(token.statusCode).toBe(400);
    expect(token.json()).toMatchObject({ error: 'invalid_request' });
    expect(token.body).not.toMatch(/call stack|RangeError/i);
    expect(unhandled()).toEqual([]);
    // Nothing was stored.
    expect((await app.http.inject({ method: 'GET', url: '/api/v1/books' })).statusCode).toBe(200);
  });

  it('answers a URL it cannot route in problem+json: a broken percent-encoding 400, an over-long segment 414', async () => {
    for (const url of ['/api/v1/books/%E0%A4%A', '/api/v1/books/%']) {
      expectProblem(await app.http.inject({ method: 'GET', url }), 400, 'request.malformed');
    }
    const long = await app.http.inject({ method: 'GET', url: `/api/v1/books/${'1'.repeat(120)}` });
    expect(expectProblem(long, 414, 'request.uri_too_long').title).toBe('URI Too Long');
    // With the headers every answer carries, though no hook ran for it.
    const broken = await app.http.inject({
      method: 'GET',
      url: '/api/v1/books/%',
      headers: { 'x-request-id': 'r-42' },
    });
    expect(broken.headers).toMatchObject({
      'x-request-id': 'r-42',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    expect(long.headers['x-request-id']).toEqual(expect.any(String));
    // And CORS, as any answer: here every origin (CORS_ORIGINS defaults to *).
    const crossOrigin = await app.http.inject({
      method: 'GET',
      url: '/api/v1/books/%',
      headers: { origin: 'https://app.example.com' },
    });
    const routed = await app.http.inject({
      method: 'GET',
      url: '/api/v1/books/x/y',
      headers: { origin: 'https://app.example.com' },
    });
    const cors = (headers: Record<string, unknown>) =>
      Object.entries(headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary');
    expect(cors(crossOrigin.headers)).toEqual(cors(routed.headers));
    expect(crossOrigin.headers['access-control-allow-origin']).toBe('*');
    expect(crossOrigin.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('names the cursor in errors[] when it refuses one', async () => {
    const body = expectProblem(
      await app.http.inject({ method: 'GET', url: '/api/v1/books?cursor=garbage' }),
      422,
      'request.invalid_cursor',
    );
    expect(body.errors).toEqual([
      { path: 'querystring:/cursor', message: 'is not a cursor this API issued' },
    ]);
  });

  it('refuses C1 control characters and line separators in a title, storing nothing', async () => {
    const catalog = catalogClient(app);
    for (const title of ['Next\u0085Line', 'a\u2028b', 'a\u009bb']) {
      const response = await catalog.write('POST', '/books', {
        title,
        isbn: '978-0-13-468599-1',
        pages: 10,
        price: { amount: 100, currency: 'KRW' },
        publication_year: 2020,
      });
      expectProblem(response, 400, 'book.invalid_title');
    }
    expect((await catalog.read('/books?title=Next')).json()).toMatchObject({ items: [] });
  });
});
