import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { Id } from '../../src/shared/domain/id.ts';
import { testApp } from '../support/app.ts';

/**
 * Contexts reacting to each other through the outbox and the real relay, from the HTTP request
 * that records the event to the other context's read model.
 */
describe('reactions across contexts, delivered by the outbox relay', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp({ env: { OUTBOX_RELAY: 'false' } });
  });
  afterAll(() => app.close());

  const bearer = (id: string) => ({
    authorization: `Bearer ${app.accessTokens.issue({ memberId: Id.of(id), role: 'member' }).token}`,
  });

  it('gives a new member "My first project" once the relay has run, and only once', async () => {
    const signUp = await app.http.inject({
      method: 'POST',
      url: '/api/v1/members',
      payload: { email: 'newcomer@example.com', passwd: 'Correct-Horse-9', name: 'Newcomer' },
    });
    expect(signUp.statusCode).toBe(201);
    const { id } = signUp.json() as { id: string };
    const before = await app.http.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(id) });
    expect(before.json().items).toEqual([]);

    await app.relay.drain();
    await app.relay.drain();
    const after = await app.http.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(id) });
    expect(after.json().items).toEqual([
      expect.objectContaining({
        name: 'My first project',
        status: 'active',
        task_count: 3,
        completed_task_count: 1,
      }),
    ]);
  });

  it("archives and hides a deleted member's projects once the relay has run", async () => {
    const { id } = (
      await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: { email: 'leaver@example.com', passwd: 'Correct-Horse-9', name: 'Leaver' },
      })
    ).json() as { id: string };
    await app.relay.drain();
    expect(
      (await app.http.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(id) })).json().items,
    ).toHaveLength(1);
    const deleted = await app.http.inject({
      method: 'DELETE',
      url: `/api/v1/members/${id}`,
      headers: bearer(id),
    });
    expect(deleted.statusCode).toBe(204);
    await app.relay.drain();
    expect(
      (await app.http.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(id) })).json().items,
    ).toEqual([]);
  });

  it('lists a book on its author once the relay has run', async () => {
    const writer = bearer('123');
    const author = await app.http.inject({
      method: 'POST',
      url: '/api/v1/authors',
      headers: writer,
      payload: { first_name: 'Ursula', last_name: 'Le Guin', age: 88 },
    });
    const book = await app.http.inject({
      method: 'POST',
      url: '/api/v1/books',
      headers: writer,
      payload: {
        title: 'The Dispossessed',
        isbn: '978-0-06-051275-0',
        pages: 387,
        price: { amount: 18000 },
        publication_year: 1974,
      },
    });
    expect([author.statusCode, book.statusCode]).toEqual([201, 201]);
    const [authorId, bookId] = [author.json().id as string, book.json().id as string];
    const put = await app.http.inject({
      method: 'PUT',
      url: `/api/v1/books/${bookId}/authors/${authorId}`,
      headers: writer,
    });
    expect(put.statusCode).toBe(204);
    expect(
      (await app.http.inject({ method: 'GET', url: `/api/v1/authors/${authorId}` })).json().books,
    ).toEqual([]);
    await app.relay.drain();
    expect(
      (await app.http.inject({ method: 'GET', url: `/api/v1/authors/${authorId}` })).json().books,
    ).toEqual([{ id: bookId, title: 'The Dispossessed' }]);
  });
});
