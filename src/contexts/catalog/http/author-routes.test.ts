import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { aBookBody, anAuthorBody } from '../../../../test/support/catalog.ts';
import { catalogClient, expectAnsweredAsRead, expectProblem } from '../../../../test/support/catalog-http.ts';
import type { App } from '../../../app.ts';

let app: App;
let api: ReturnType<typeof catalogClient>;
beforeAll(async () => {
  // Events reach authors when a test runs the relay (api.relay()), never behind its back.
  app = await testApp({ env: { OUTBOX_RELAY: 'false' } });
  api = catalogClient(app);
});
afterAll(() => app.close());

async function authorCount(): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from catalog.authors`.execute(
    app.database.db,
  );
  return Number(rows[0]?.n);
}

async function newAuthor(
  body: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { id: string }> {
  const response = await api.write('POST', '/authors', anAuthorBody(body));
  expect(response.statusCode).toBe(201);
  return response.json();
}

describe('POST /api/v1/authors', () => {
  it('adds an author: 201, Location, ETag, trimmed names and no books yet', async () => {
    const response = await api.write(
      'POST',
      '/authors',
      anAuthorBody({ first_name: ' Eric ', biography: 'Designs.' }),
    );
    expect(response.statusCode).toBe(201);
    const author = response.json();
    expect(author).toEqual({
      id: expect.stringMatching(/^[1-9][0-9]+$/),
      first_name: 'Eric',
      last_name: 'Evans',
      age: 62,
      biography: 'Designs.',
      books: [],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: author.created_at,
    });
    expect(response.headers.location).toBe(`/api/v1/authors/${author.id}`);
    expect(response.headers.etag).toMatch(/^"1\./);
  });

  it('answers what a read of the author answers, body and ETag: the answer is built from the author it stored, not read back', async () => {
    await expectAnsweredAsRead(app, await api.write('POST', '/authors', anAuthorBody({ biography: null })));
  });

  it('takes no biography, null or blank as "none"', async () => {
    for (const biography of [undefined, null, '  ']) {
      expect((await newAuthor({ biography })).biography).toBeNull();
    }
  });

  it.each([
    ['a blank first name', { first_name: '   ' }, 'author.invalid_name'],
    ['a last name over two lines', { last_name: 'Ev\nans' }, 'author.invalid_name'],
    ['a biography with a control character', { biography: 'bell\u0007' }, 'author.invalid_biography'],
  ])('answers 400 for %s', async (_, body, code) => {
    expectProblem(await api.write('POST', '/authors', anAuthorBody(body)), 400, code);
  });

  it.each([
    ['age 0', { age: 0 }, '/age'],
    ['age 151', { age: 151 }, '/age'],
    ['age 1e20', { age: 1e20 }, '/age'],
    ['a fractional age', { age: 40.5 }, '/age'],
    ['a missing last name', { last_name: undefined }, '/last_name'],
    ['an empty first name', { first_name: '' }, '/first_name'],
    ['a 101-character first name', { first_name: 'x'.repeat(101) }, '/first_name'],
    ['a 3001-character biography', { biography: 'x'.repeat(3001) }, '/biography'],
    ['an unknown field', { books: [] }, '/books'],
  ])('answers 422 for %s', async (_, body, path) => {
    const before = await authorCount();
    const problem = expectProblem(
      await api.write('POST', '/authors', anAuthorBody(body)),
      422,
      'request.invalid',
    );
    expect((problem.errors as { path: string }[]).map((e) => e.path)).toContain(path);
    expect(await authorCount()).toBe(before);
  });

  it('needs a signed-in member', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/v1/authors',
      payload: anAuthorBody(),
    });
    expectProblem(response, 401, 'auth.unauthenticated');
  });
});

describe('GET /api/v1/authors/{id}', () => {
  it('answers the author with the books it lists, an ETag, and 304 until a listed book changes', async () => {
    const author = await newAuthor();
    const book = (await api.write('POST', '/books', aBookBody({ title: 'Listed' }))).json();
    await api.write('PUT', `/books/${book.id}/authors/${author.id}`);
    await api.relay();
    const first = await api.read(`/authors/${author.id}`);
    expect(first.json().books).toEqual([{ id: book.id, title: 'Listed' }]);
    const etag = String(first.headers.etag);
    expect((await api.read(`/authors/${author.id}`, { 'if-none-match': etag })).statusCode).toBe(304);
    await api.write('PATCH', `/books/${book.id}`, { title: 'Listed, revised' });
    const changed = await api.read(`/authors/${author.id}`, { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().books).toEqual([{ id: book.id, title: 'Listed, revised' }]);
  });

  it('answers 404 for an author that does not exist, 422 for a malformed id', async () => {
    expectProblem(await api.read('/authors/12345'), 404, 'author.not_found');
    expectProblem(await api.read('/authors/9999999999999999999'), 404, 'author.not_found');
    expectProblem(await api.read('/authors/abc'), 422, 'request.invalid');
  });
});

describe('GET /api/v1/authors', () => {
  it('filters by a part of "first last" ignoring case, paging through each author once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1)
      made.push((await newAuthor({ first_name: `Pager${i}`, last_name: 'Zweig' })).id);
    await newAuthor({ first_name: 'Other', last_name: 'Person' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await api.read(
        `/authors?limit=2&name=${encodeURIComponent('ZWEIG')}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.statusCode).toBe(200);
      const page = response.json() as { items: Record<string, unknown>[]; next_cursor: string | null };
      expect(page.items.every((a) => !('books' in a))).toBe(true);
      seen.push(...page.items.map((a) => a.id as string));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(made);
    const both = await api.read(`/authors?name=${encodeURIComponent('pager3 zw')}`);
    expect(both.json().items.map((a: { id: string }) => a.id)).toEqual([made[3]]);
  });

  it.each(['limit=0', 'limit=101', 'name=', `name=${'x'.repeat(202)}`, 'cursor=***'])(
    'answers 422 for %s',
    async (query) => {
      expectProblem(await api.read(`/authors?${query}`), 422, 'request.invalid');
    },
  );
});

describe('PATCH /api/v1/authors/{id}', () => {
  it('changes the given fields; a null biography removes it', async () => {
    const author = await newAuthor({ biography: 'Old text.' });
    const response = await api.write('PATCH', `/authors/${author.id}`, { age: 63, biography: null });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ first_name: 'Eric', age: 63, biography: null });
    expect(response.headers.etag).toMatch(/^"2\./);
  });

  it('applies with a current If-Match and refuses a stale one with 412, leaving the author as it was', async () => {
    const author = await newAuthor();
    const etag = String((await api.read(`/authors/${author.id}`)).headers.etag);
    expect(
      (await api.write('PATCH', `/authors/${author.id}`, { age: 70 }, { 'if-match': etag })).statusCode,
    ).toBe(200);
    expectProblem(
      await api.write('PATCH', `/authors/${author.id}`, { age: 80 }, { 'if-match': etag }),
      412,
      'author.precondition_failed',
    );
    expect((await api.read(`/authors/${author.id}`)).json().age).toBe(70);
  });

  it('answers 404 for a missing author, 422 for an empty body, 400 for a blank name, 401 without a token', async () => {
    expectProblem(await api.write('PATCH', '/authors/12345', { age: 40 }), 404, 'author.not_found');
    const author = await newAuthor();
    expectProblem(await api.write('PATCH', `/authors/${author.id}`, {}), 422, 'request.invalid');
    expectProblem(
      await api.write('PATCH', `/authors/${author.id}`, { last_name: ' ' }),
      400,
      'author.invalid_name',
    );
    expectProblem(
      await app.http.inject({ method: 'PATCH', url: `/api/v1/authors/${author.id}`, payload: { age: 40 } }),
      401,
      'auth.unauthenticated',
    );
  });
});

describe('the catalog in the OpenAPI document', () => {
  it('documents every catalog route with a summary, a tag and responses; writes require a bearer token', async () => {
    const document = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, { summary?: string; tags?: string[]; security?: unknown[]; responses: object }>
      >;
    };
    const operations = Object.entries(document.paths)
      .filter(([path]) => /\/(books|authors)/.test(path))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual(
      [
        'DELETE /api/v1/books/{id}',
        'DELETE /api/v1/books/{id}/authors/{author_id}',
        'GET /api/v1/authors',
        'GET /api/v1/authors/{id}',
        'GET /api/v1/books',
        'GET /api/v1/books/{id}',
        'PATCH /api/v1/authors/{id}',
        'PATCH /api/v1/books/{id}',
        'POST /api/v1/authors',
        'POST /api/v1/books',
        'PUT /api/v1/books/{id}/authors/{author_id}',
      ].sort(),
    );
    for (const { method, op } of operations) {
      expect(op.summary).toBeTruthy();
      expect(op.tags?.[0]).toMatch(/^(books|authors)$/);
      expect(Object.keys(op.responses).length).toBeGreaterThan(1);
      expect(op.security !== undefined).toBe(method !== 'get');
    }
  });
});
