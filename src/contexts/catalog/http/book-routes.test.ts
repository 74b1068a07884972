import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { aBookBody, anAuthorBody } from '../../../../test/support/catalog.ts';
import { catalogClient, expectAnsweredAsRead, expectProblem } from '../../../../test/support/catalog-http.ts';
import { onServer } from '../../../../test/support/database.ts';
import type { App } from '../../../app.ts';

let app: App;
let api: ReturnType<typeof catalogClient>;
beforeAll(async () => {
  // Events reach authors when a test runs the relay (api.relay()), never behind its back.
  app = await testApp({ env: { OUTBOX_RELAY: 'false' } });
  api = catalogClient(app);
});
afterAll(() => app.close());

async function bookCount(): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from catalog.books`.execute(app.database.db);
  return Number(rows[0]?.n);
}

async function newBook(
  body: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { id: string }> {
  const response = await api.write('POST', '/books', aBookBody(body));
  expect(response.statusCode).toBe(201);
  return response.json();
}

async function newAuthor(body: Record<string, unknown> = {}): Promise<{ id: string }> {
  const response = await api.write('POST', '/authors', anAuthorBody(body));
  expect(response.statusCode).toBe(201);
  return response.json();
}

describe('POST /api/v1/books', () => {
  it('adds a book: 201, Location, ETag, the ISBN as 13 digits and no authors yet', async () => {
    const response = await api.write('POST', '/books', aBookBody({ isbn: '0-321-12521-5', title: ' DDD ' }));
    expect(response.statusCode).toBe(201);
    const book = response.json();
    expect(book).toEqual({
      id: expect.stringMatching(/^[1-9][0-9]+$/),
      title: 'DDD',
      isbn: '9780321125217',
      pages: 560,
      price: { amount: 45_000, currency: 'KRW' },
      publication_year: 2003,
      authors: [],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: book.created_at,
    });
    expect(response.headers.location).toBe(`/api/v1/books/${book.id}`);
    expect(response.headers.etag).toMatch(/^"1\.[A-Za-z0-9_-]+"$/);
  });

  it('answers what a read of the book answers, body and ETag: the answer is built from the book it stored, not read back', async () => {
    await expectAnsweredAsRead(
      app,
      await api.write('POST', '/books', aBookBody({ price: { amount: 1999, currency: 'USD' } })),
    );
  });

  it('prices in KRW when no currency is given, and keeps a large amount exact', async () => {
    const book = await newBook({ price: { amount: 999_999_999_999_999 } });
    expect(book.price).toEqual({ amount: 999_999_999_999_999, currency: 'KRW' });
  });

  it('answers 401 with WWW-Authenticate to a caller without a valid token, before looking at the body', async () => {
    const before = await bookCount();
    const anonymous = await app.http.inject({ method: 'POST', url: '/api/v1/books', payload: aBookBody() });
    expectProblem(anonymous, 401, 'auth.unauthenticated');
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    const anonymousJunk = await app.http.inject({
      method: 'POST',
      url: '/api/v1/books',
      payload: { junk: true },
    });
    expectProblem(anonymousJunk, 401, 'auth.unauthenticated');
    const forged = await api.write('POST', '/books', aBookBody(), { authorization: 'Bearer not.a.token' });
    expectProblem(forged, 401, 'auth.invalid_token');
    expect(await bookCount()).toBe(before);
  });

  it('answers 400 book.invalid_isbn naming the isbn for a wrong check digit, and stores nothing', async () => {
    const before = await bookCount();
    const body = expectProblem(
      await api.write('POST', '/books', aBookBody({ isbn: '978-0-321-12521-8' })),
      400,
      'book.invalid_isbn',
    );
    expect(body.detail).toMatch(/isbn "978-0-321-12521-8".*check digit/);
    expect(await bookCount()).toBe(before);
  });

  it('answers 409 book.isbn_taken for an ISBN another book has, however it is written', async () => {
    await newBook({ isbn: '0-13-235088-2' });
    const before = await bookCount();
    expectProblem(
      await api.write('POST', '/books', aBookBody({ isbn: '978 0 13 235088 4' })),
      409,
      'book.isbn_taken',
    );
    expect(await bookCount()).toBe(before);
  });

  it.each([
    ['a blank title', { title: '   ' }, 'book.invalid_title'],
    [
      'a year after next year',
      { publication_year: new Date().getUTCFullYear() + 2 },
      'book.invalid_publication_year',
    ],
    ['a currency ISO 4217 does not know', { price: { amount: 100, currency: 'ABC' } }, 'book.invalid_price'],
  ])('answers 400 for %s', async (_, body, code) => {
    expectProblem(await api.write('POST', '/books', aBookBody(body)), 400, code);
  });

  it.each([
    ['an unknown field', { authors: [] }, '/authors'],
    ['a missing field', { pages: undefined }, '/pages'],
    ['0 pages', { pages: 0 }, '/pages'],
    ['100,001 pages', { pages: 100_001 }, '/pages'],
    ['pages as text', { pages: '560' }, '/pages'],
    ['a fractional amount', { price: { amount: 19.99 } }, '/price/amount'],
    ['an amount above 10^15', { price: { amount: 1e16 } }, '/price/amount'],
    ['a negative amount', { price: { amount: -1 } }, '/price/amount'],
    ['a lower-case currency', { price: { amount: 1, currency: 'krw' } }, '/price/currency'],
    ['an unknown price field', { price: { amount: 1, cents: 5 } }, '/price/cents'],
    ['a year before 1450', { publication_year: 1449 }, '/publication_year'],
    ['a year of 10^20', { publication_year: 1e20 }, '/publication_year'],
    ['an empty title', { title: '' }, '/title'],
    ['a 101-character title', { title: 'x'.repeat(101) }, '/title'],
    ['a 33-character isbn', { isbn: '9'.repeat(33) }, '/isbn'],
    // JSON's "\ud800": valid JSON, but no character (it failed the event's jsonb with a 500).
    ['an unpaired surrogate in the title', { title: 'Volume \ud800' }, '/title'],
  ])('answers 422 for %s, pointing at %s', async (_, body, path) => {
    const before = await bookCount();
    const problem = expectProblem(await api.write('POST', '/books', aBookBody(body)), 422, 'request.invalid');
    expect((problem.errors as { path: string }[]).map((e) => e.path)).toContain(path);
    expect(await bookCount()).toBe(before);
  });

  it('answers 415 to a text/plain body and 400 to malformed JSON', async () => {
    expectProblem(
      await api.write('POST', '/books', 'title=x', { 'content-type': 'text/plain' }),
      415,
      'request.unsupported_media_type',
    );
    expectProblem(
      await api.write('POST', '/books', '{"title": ', { 'content-type': 'application/json' }),
      400,
      'request.malformed_json',
    );
  });
});

describe('GET /api/v1/books/{id}', () => {
  it('answers the book with an ETag, and 304 while it has not changed', async () => {
    const book = await newBook();
    const first = await api.read(`/books/${book.id}`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(book);
    const etag = String(first.headers.etag);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await api.read(`/books/${book.id}`, { 'if-none-match': header });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
    }
    expect((await api.read(`/books/${book.id}`, { 'if-none-match': '"stale"' })).statusCode).toBe(200);
  });

  it("gives a new ETag when one of the book's authors is renamed", async () => {
    const book = await newBook();
    const author = await newAuthor();
    await api.write('PUT', `/books/${book.id}/authors/${author.id}`);
    const before = await api.read(`/books/${book.id}`);
    await api.write('PATCH', `/authors/${author.id}`, { first_name: 'Renamed' });
    const after = await api.read(`/books/${book.id}`, { 'if-none-match': String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(after.json().authors).toEqual([{ id: author.id, name: 'Renamed Evans' }]);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it.each(['999', '9223372036854775807', '9999999999999999999'])('answers 404 for id %s', async (id) => {
    expectProblem(await api.read(`/books/${id}`), 404, 'book.not_found');
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999999999999'])(
    'answers 422 for the malformed id %s',
    async (id) => {
      expectProblem(await api.read(`/books/${id}`), 422, 'request.invalid');
    },
  );
});

describe('GET /api/v1/books', () => {
  it('filters by title (case-insensitive, % literal) and by author, paging through each book once', async () => {
    const author = await newAuthor({ last_name: 'Listwriter' });
    const mine: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const book = await newBook({ title: `Listing ${i}% Done` });
      await api.write('PUT', `/books/${book.id}/authors/${author.id}`);
      mine.push(book.id);
    }
    await newBook({ title: 'Listing 50 Done' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await api.read(
        `/books?limit=2&title=${encodeURIComponent('LISTING ')}&author_id=${author.id}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.statusCode).toBe(200);
      const page = response.json() as {
        items: { id: string; authors: unknown[] }[];
        next_cursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((b) => b.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(mine);
    const percent = await api.read(`/books?title=${encodeURIComponent('0% done')}`);
    expect(percent.json().items.map((b: { id: string }) => b.id)).toEqual([mine[0]]);
  });

  it('answers an empty page for an author nobody has, even one beyond the id range', async () => {
    for (const id of ['42', '9999999999999999999']) {
      const response = await api.read(`/books?author_id=${id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ items: [], next_cursor: null });
    }
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=1e20',
    'cursor=***',
    'cursor=bm9wZQ',
    'title=',
    `title=${'x'.repeat(101)}`,
    'author_id=abc',
  ])('answers 422 for %s', async (query) => {
    expectProblem(
      await api.read(`/books?${query}`),
      422,
      query.startsWith('cursor=bm') ? 'request.invalid_cursor' : 'request.invalid',
    );
  });
});

describe('PATCH /api/v1/books/{id}', () => {
  it('changes the given fields, merging the price, and answers the new state with a new ETag', async () => {
    const book = await newBook({ price: { amount: 1999, currency: 'USD' } });
    const response = await api.write('PATCH', `/books/${book.id}`, {
      title: 'Second Edition',
      price: { amount: 2499 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      title: 'Second Edition',
      price: { amount: 2499, currency: 'USD' },
      pages: 560,
    });
    expect(response.headers.etag).toMatch(/^"2\./);
  });

  it('applies with a current If-Match and refuses a stale one with 412, leaving the book as it was', async () => {
    const book = await newBook();
    const etag = String((await api.read(`/books/${book.id}`)).headers.etag);
    const ok = await api.write('PATCH', `/books/${book.id}`, { pages: 600 }, { 'if-match': etag });
    expect(ok.statusCode).toBe(200);
    const stale = await api.write('PATCH', `/books/${book.id}`, { pages: 700 }, { 'if-match': etag });
    expectProblem(stale, 412, 'book.precondition_failed');
    expectProblem(
      await api.write(
        'PATCH',
        `/books/${book.id}`,
        { pages: 700 },
        { 'if-match': `W/${String(ok.headers.etag)}` },
      ),
      412,
      'book.precondition_failed',
    );
    expect((await api.read(`/books/${book.id}`)).json().pages).toBe(600);
    const any = await api.write('PATCH', `/books/${book.id}`, { pages: 800 }, { 'if-match': '*' });
    expect(any.json().pages).toBe(800);
  });

  it('answers 404 for a missing book (If-Match or not), 422 for an empty or unknown body, 409 for a taken ISBN', async () => {
    expectProblem(await api.write('PATCH', '/books/12345', { pages: 5 }), 404, 'book.not_found');
    expectProblem(
      await api.write('PATCH', '/books/12345', { pages: 5 }, { 'if-match': '*' }),
      404,
      'book.not_found',
    );
    const book = await newBook();
    expectProblem(await api.write('PATCH', `/books/${book.id}`, {}), 422, 'request.invalid');
    expectProblem(await api.write('PATCH', `/books/${book.id}`, { price: {} }), 422, 'request.invalid');
    expectProblem(await api.write('PATCH', `/books/${book.id}`, { id: '1' }), 422, 'request.invalid');
    const other = await newBook();
    expectProblem(
      await api.write('PATCH', `/books/${book.id}`, { isbn: other.isbn }),
      409,
      'book.isbn_taken',
    );
  });

  it('needs a signed-in member', async () => {
    const book = await newBook();
    const response = await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/books/${book.id}`,
      payload: { pages: 1 },
    });
    expectProblem(response, 401, 'auth.unauthenticated');
  });
});

describe('DELETE /api/v1/books/{id}', () => {
  it('deletes: 204, then 404 for reads and for a second delete', async () => {
    const book = await newBook();
    const response = await api.write('DELETE', `/books/${book.id}`);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expectProblem(await api.read(`/books/${book.id}`), 404, 'book.not_found');
    expectProblem(await api.write('DELETE', `/books/${book.id}`), 404, 'book.not_found');
    expectProblem(await api.write('DELETE', '/books/9999999999999999999'), 404, 'book.not_found');
  });

  it('needs a signed-in member', async () => {
    const book = await newBook();
    expectProblem(
      await app.http.inject({ method: 'DELETE', url: `/api/v1/books/${book.id}` }),
      401,
      'auth.unauthenticated',
    );
  });
});

describe('PUT and DELETE /api/v1/books/{id}/authors/{author_id}', () => {
  it('adds an author idempotently: 204 twice, the book names the author once, one event', async () => {
    const book = await newBook();
    const author = await newAuthor();
    for (let i = 0; i < 2; i += 1) {
      const response = await api.write('PUT', `/books/${book.id}/authors/${author.id}`);
      expect(response.statusCode).toBe(204);
    }
    expect((await api.read(`/books/${book.id}`)).json().authors).toEqual([
      { id: author.id, name: 'Eric Evans' },
    ]);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from shared.outbox
       where name = 'catalog.author_added_to_book' and aggregate_id = ${book.id}`.execute(app.database.db);
    expect(rows[0]?.n).toBe('1');
  });

  it.runIf(onServer)(
    'lets five members add five authors to one book at the same moment: all 204',
    async () => {
      const book = await newBook();
      const authors = await Promise.all(
        Array.from({ length: 5 }, (_, i) => newAuthor({ first_name: `Racer${i}` })),
      );
      const responses = await Promise.all(
        authors.map((a) => api.write('PUT', `/books/${book.id}/authors/${a.id}`)),
      );
      expect(responses.map((r) => r.statusCode)).toEqual([204, 204, 204, 204, 204]);
      const named = (await api.read(`/books/${book.id}`)).json().authors.map((a: { id: string }) => a.id);
      expect([...named].sort()).toEqual(authors.map((a) => a.id).sort());
    },
  );

  it('answers 404 for a missing book or a missing author, not 500', async () => {
    const book = await newBook();
    const author = await newAuthor();
    expectProblem(await api.write('PUT', `/books/12345/authors/${author.id}`), 404, 'book.not_found');
    expectProblem(await api.write('PUT', `/books/${book.id}/authors/12345`), 404, 'author.not_found');
    expectProblem(
      await api.write('PUT', `/books/${book.id}/authors/9999999999999999999`),
      404,
      'author.not_found',
    );
    expectProblem(await api.write('PUT', `/books/${book.id}/authors/abc`), 422, 'request.invalid');
    expect((await api.read(`/books/${book.id}`)).json().authors).toEqual([]);
  });

  it('removes an author: 204, then 404 book.author_not_listed', async () => {
    const book = await newBook();
    const author = await newAuthor();
    await api.write('PUT', `/books/${book.id}/authors/${author.id}`);
    expect((await api.write('DELETE', `/books/${book.id}/authors/${author.id}`)).statusCode).toBe(204);
    expectProblem(
      await api.write('DELETE', `/books/${book.id}/authors/${author.id}`),
      404,
      'book.author_not_listed',
    );
    expectProblem(await api.write('DELETE', `/books/12345/authors/${author.id}`), 404, 'book.not_found');
  });

  it('needs a signed-in member', async () => {
    const book = await newBook();
    const author = await newAuthor();
    const response = await app.http.inject({
      method: 'PUT',
      url: `/api/v1/books/${book.id}/authors/${author.id}`,
    });
    expectProblem(response, 401, 'auth.unauthenticated');
  });
});

describe('the author follows the book once the relay has run', () => {
  it('lists a book after PUT, unlists it after DELETE of the author, and after the book is deleted', async () => {
    const [kept, gone] = [await newBook({ title: 'Kept' }), await newBook({ title: 'Gone' })];
    const author = await newAuthor();
    await api.write('PUT', `/books/${kept.id}/authors/${author.id}`);
    await api.write('PUT', `/books/${gone.id}/authors/${author.id}`);
    expect((await api.read(`/authors/${author.id}`)).json().books).toEqual([]);
    await api.relay();
    expect((await api.read(`/authors/${author.id}`)).json().books).toEqual([
      { id: kept.id, title: 'Kept' },
      { id: gone.id, title: 'Gone' },
    ]);
    await api.write('DELETE', `/books/${kept.id}/authors/${author.id}`);
    await api.write('DELETE', `/books/${gone.id}`);
    await api.relay();
    expect((await api.read(`/authors/${author.id}`)).json().books).toEqual([]);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from catalog.author_bibliography where author_id = ${author.id} and listed`.execute(
      app.database.db,
    );
    expect(rows[0]?.n).toBe('0');
  });
});
