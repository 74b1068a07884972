import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import {
  type SignedUp,
  signedUpMember,
  signedUpSuperuser,
  uniqueEmail,
} from '../../../../test/support/members.ts';
import { expectProblem } from '../../../../test/support/problem.ts';
import type { App } from '../../../app.ts';

let app: App;
/** Most tests act as a superuser, who may do everything; the "who" rules have their own tests below. */
let root: SignedUp;
beforeAll(async () => {
  app = await testApp();
  root = await signedUpSuperuser(app);
});
afterAll(() => app.close());

/** A request as the superuser unless `auth` says otherwise (null: no Authorization header). */
function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  auth: string | null = root.auth,
) {
  return app.http.inject({
    method,
    url,
    ...(auth === null ? {} : { headers: { authorization: auth } }),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

async function register(body: Record<string, unknown> = {}) {
  return app.http.inject({
    method: 'POST',
    url: '/api/v1/members',
    payload: { email: uniqueEmail(), passwd: 'Correct-Horse-9', name: 'Ada Lovelace', ...body },
  });
}

async function memberCount(): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from accounts.members`.execute(
    app.database.db,
  );
  return Number(rows[0]?.n);
}

describe('POST /api/v1/members', () => {
  it('registers a member: 201, Location, the member without any password', async () => {
    const response = await register({ email: 'Ada@Example.com' });
    expect(response.statusCode).toBe(201);
    const member = response.json();
    expect(member).toEqual({
      id: expect.stringMatching(/^[1-9][0-9]+$/),
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      is_superuser: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: member.created_at,
    });
    expect(response.headers.location).toBe(`/api/v1/members/${member.id}`);
    expect(response.body).not.toMatch(/passw|hash|Correct-Horse/i);
    // The read model (instants as text, rewritten) answers the very same member, to the millisecond.
    const read = await call('GET', response.headers.location as string);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(member);
  });

  it('answers 409 member.email_taken for an email an active member has', async () => {
    const email = uniqueEmail();
    await register({ email });
    const before = await memberCount();
    expectProblem(await register({ email: email.toUpperCase() }), 409, 'member.email_taken');
    expect(await memberCount()).toBe(before);
  });

  it('answers 400 member.weak_password when the policy is not met', async () => {
    const body = expectProblem(await register({ passwd: 'alllowercase1' }), 400, 'member.weak_password');
    expect(body.detail).toMatch(/upper-case/);
  });

  it('gives one 201 and one 409 for two simultaneous sign-ups with one email, never a 500', async () => {
    const email = uniqueEmail();
    const responses = await Promise.all([register({ email }), register({ email })]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  describe('refuses bad input with 4xx problem+json and stores nothing', () => {
    const cases: [string, unknown, number, string][] = [
      ['a missing field', { email: 'x@example.com', name: 'X' }, 422, 'request.invalid'],
      [
        'an unknown field',
        { email: 'x@example.com', passwd: 'Correct-Horse-9', name: 'X', is_superuser: true },
        422,
        'request.invalid',
      ],
      ['a wrong type', { email: 'x@example.com', passwd: 12345678, name: 'X' }, 422, 'request.invalid'],
      [
        'a number where a name goes',
        { email: 'x@example.com', passwd: 'Correct-Horse-9', name: 1e308 },
        422,
        'request.invalid',
      ],
      [
        'an empty name',
        { email: 'x@example.com', passwd: 'Correct-Horse-9', name: '' },
        422,
        'request.invalid',
      ],
      // JSON's "\ud800": valid JSON, but no character (it failed the event's jsonb with a 500).
      [
        'an unpaired surrogate in a name',
        { email: 'x@example.com', passwd: 'Correct-Horse-9', name: 'Ada \ud800' },
        422,
        'request.invalid',
      ],
      [
        'an unpaired surrogate in a password',
        { email: 'x@example.com', passwd: 'Correct-Horse-9\udc00', name: 'X' },
        422,
        'request.invalid',
      ],
      [
        'a blank name',
        { email: 'x@example.com', passwd: 'Correct-Horse-9', name: '   ' },
        400,
        'member.invalid_name',
      ],
      [
        'an over-long name',
        { email: 'x@example.com', passwd: 'Correct-Horse-9', name: 'x'.repeat(101) },
        422,
        'request.invalid',
      ],
      [
        'a malformed email',
        { email: 'not-an-email', passwd: 'Correct-Horse-9', name: 'X' },
        422,
        'request.invalid',
      ],
      [
        'an over-long email',
        { email: `${'a'.repeat(250)}@example.com`, passwd: 'Correct-Horse-9', name: 'X' },
        422,
        'request.invalid',
      ],
      ['an empty password', { email: 'x@example.com', passwd: '', name: 'X' }, 400, 'member.weak_password'],
      ['an array', [1, 2], 422, 'request.invalid'],
      ['null', null, 422, 'request.invalid'],
    ];
    it.each(cases)('%s', async (_label, payload, status, code) => {
      const before = await memberCount();
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      const body = expectProblem(response, status, code);
      if (status === 422)
        expect(body.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]),
        );
      expect(await memberCount()).toBe(before);
    });

    it('names the offending fields in errors[]', async () => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: { email: 'x@example.com', passwd: 5, name: 'X', extra: 1 },
      });
      const paths = (expectProblem(response, 422, 'request.invalid').errors as { path: string }[]).map(
        (e) => e.path,
      );
      expect(paths).toEqual(expect.arrayContaining(['/passwd', '/extra']));
    });

    it('malformed JSON is 400', async () => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": "x@example.com",',
      });
      expectProblem(response, 400, 'request.malformed_json');
    });

    it.each([
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ])('%s is 415', async (type) => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        headers: { 'content-type': type },
        payload: 'email=x@example.com',
      });
      expectProblem(response, 415, 'request.unsupported_media_type');
    });

    it('a 10 MB body is 413', async () => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          email: 'x@example.com',
          passwd: 'Correct-Horse-9',
          name: 'x'.repeat(10 * 1024 * 1024),
        }),
      });
      expectProblem(response, 413, 'request.too_large');
    });
  });

  it('stores SQL and script text in names verbatim and answers it back as JSON', async () => {
    const name = `Robert'); DROP TABLE accounts.members;-- <script>alert(1)</script>`;
    const response = await register({ name });
    expect(response.statusCode).toBe(201);
    const got = await app.http.inject({
      method: 'GET',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${response.json().id}`,
    });
    expect(got.json().name).toBe(name);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(await memberCount()).toBeGreaterThan(0);
  });
});

describe('GET /api/v1/members/{id}', () => {
  it('returns the member', async () => {
    const created = (await register()).json();
    const response = await app.http.inject({
      method: 'GET',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${created.id}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(created);
  });

  it.each(['999', '9223372036854775807', '9999999999999999999'])('answers 404 for id %s', async (id) => {
    expectProblem(
      await app.http.inject({
        method: 'GET',
        headers: { authorization: root.auth },
        url: `/api/v1/members/${id}`,
      }),
      404,
      'member.not_found',
    );
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999999999999', '%27%20or%201%3D1'])(
    'answers 422 for the malformed id %s',
    async (id) => {
      expectProblem(
        await app.http.inject({
          method: 'GET',
          headers: { authorization: root.auth },
          url: `/api/v1/members/${id}`,
        }),
        422,
        'request.invalid',
      );
    },
  );
});

describe('GET /api/v1/members', () => {
  it('pages through every member exactly once with limit and cursor', async () => {
    for (let i = 0; i < 5; i += 1) await register();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await app.http.inject({ method: 'GET', headers: { authorization: root.auth }, url });
      expect(response.statusCode).toBe(200);
      const page = response.json() as { items: { id: string }[]; next_cursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await memberCountActive());
    expect([...seen].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(seen);
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=1e20', 'cursor=***', 'cursor=bm9wZQ'])(
    'answers 422 for %s',
    async (query) => {
      const response = await app.http.inject({
        method: 'GET',
        headers: { authorization: root.auth },
        url: `/api/v1/members?${query}`,
      });
      expect(response.statusCode).toBe(422);
    },
  );

  async function memberCountActive(): Promise<number> {
    const { rows } = await sql<{
      n: string;
    }>`select count(*) as n from accounts.members where deleted_at is null`.execute(app.database.db);
    return Number(rows[0]?.n);
  }
});

describe('PATCH /api/v1/members/{id}…', () => {
  it('updates the name', async () => {
    const { id } = (await register()).json();
    const response = await app.http.inject({
      method: 'PATCH',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${id}`,
      payload: { name: 'Ada King' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe('Ada King');
  });

  it('changes the email, and refuses one that is taken with 409', async () => {
    const { id } = (await register()).json();
    const taken = uniqueEmail();
    await register({ email: taken });
    const fresh = uniqueEmail();
    const ok = await app.http.inject({
      method: 'PATCH',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${id}/email`,
      payload: { email: fresh },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().email).toBe(fresh);
    expectProblem(
      await app.http.inject({
        method: 'PATCH',
        headers: { authorization: root.auth },
        url: `/api/v1/members/${id}/email`,
        payload: { email: taken },
      }),
      409,
      'member.email_taken',
    );
  });

  it('changes the password; a wrong current password or a weak new one is 400', async () => {
    const { id } = (await register()).json();
    const url = `/api/v1/members/${id}/password`;
    expectProblem(
      await app.http.inject({
        method: 'PATCH',
        headers: { authorization: root.auth },
        url,
        payload: { passwd: 'Even-Better-10', current_passwd: 'nope' },
      }),
      400,
      'member.wrong_password',
    );
    expectProblem(
      await app.http.inject({
        method: 'PATCH',
        headers: { authorization: root.auth },
        url,
        payload: { passwd: 'weak' },
      }),
      400,
      'member.weak_password',
    );
    const ok = await app.http.inject({
      method: 'PATCH',
      headers: { authorization: root.auth },
      url,
      payload: { passwd: 'Even-Better-10', current_passwd: 'Correct-Horse-9' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('answers 404 for a member that does not exist, 422 for an unknown field', async () => {
    expectProblem(
      await app.http.inject({
        method: 'PATCH',
        headers: { authorization: root.auth },
        url: '/api/v1/members/12345',
        payload: { name: 'X' },
      }),
      404,
      'member.not_found',
    );
    const { id } = (await register()).json();
    expectProblem(
      await app.http.inject({
        method: 'PATCH',
        headers: { authorization: root.auth },
        url: `/api/v1/members/${id}`,
        payload: { name: 'X', email: 'x@example.com' },
      }),
      422,
      'request.invalid',
    );
  });
});

describe('DELETE /api/v1/members/{id}', () => {
  it('soft-deletes: 204, then 404, the email free again, the row kept', async () => {
    const email = uniqueEmail();
    const { id } = (await register({ email })).json();
    const response = await app.http.inject({
      method: 'DELETE',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${id}`,
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expectProblem(
      await app.http.inject({
        method: 'GET',
        headers: { authorization: root.auth },
        url: `/api/v1/members/${id}`,
      }),
      404,
      'member.not_found',
    );
    expectProblem(
      await app.http.inject({
        method: 'DELETE',
        headers: { authorization: root.auth },
        url: `/api/v1/members/${id}`,
      }),
      404,
      'member.not_found',
    );
    expect((await register({ email })).statusCode).toBe(201);
    const { rows } = await sql<{
      deleted_at: Date | null;
    }>`select deleted_at from accounts.members where id = ${id}`.execute(app.database.db);
    expect(rows[0]?.deleted_at).toBeInstanceOf(Date);
  });
});

describe('every member command stores its event in the outbox', () => {
  it('writes one outbox row per change, in order', async () => {
    const { id } = (await register()).json();
    await app.http.inject({
      method: 'PATCH',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${id}`,
      payload: { name: 'Renamed' },
    });
    await app.http.inject({
      method: 'PATCH',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${id}/email`,
      payload: { email: uniqueEmail() },
    });
    await app.http.inject({
      method: 'PATCH',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${id}/password`,
      payload: { passwd: 'Even-Better-10' },
    });
    await app.http.inject({
      method: 'DELETE',
      headers: { authorization: root.auth },
      url: `/api/v1/members/${id}`,
    });
    const { rows } = await sql<{
      name: string;
    }>`select name from shared.outbox where aggregate_id = ${id} order by id`.execute(app.database.db);
    expect(rows.map((r) => r.name)).toEqual([
      'accounts.member_registered',
      'accounts.member_profile_updated',
      'accounts.member_email_changed',
      'accounts.member_password_changed',
      'accounts.member_deleted',
    ]);
  });
});

describe('who may do what (the "who" column of the members API)', () => {
  const memberRoutes = (id: string): [string, string, unknown][] => [
    ['GET', `/api/v1/members/${id}`, undefined],
    ['PATCH', `/api/v1/members/${id}`, { name: 'Mallory' }],
    ['PATCH', `/api/v1/members/${id}/email`, { email: uniqueEmail('mallory') }],
    ['PATCH', `/api/v1/members/${id}/password`, { passwd: 'Stolen-Account-1', current_passwd: 'x' }],
    ['DELETE', `/api/v1/members/${id}`, undefined],
  ];

  async function stored(id: string) {
    const { rows } = await sql<{
      email: string;
      name: string;
      password_hash: string;
      deleted_at: Date | null;
    }>`
      select email, name, password_hash, deleted_at from accounts.members where id = ${id}`.execute(
      app.database.db,
    );
    return rows[0];
  }

  it('answers 401 on every member route without a token, or with a bad one, and changes nothing', async () => {
    const ada = await signedUpMember(app);
    const before = await stored(ada.id);
    const routes: [string, string, unknown][] = [
      ['GET', '/api/v1/members', undefined],
      ['GET', '/api/v1/members/me', undefined],
      ...memberRoutes(ada.id),
    ];
    for (const [method, url, payload] of routes) {
      for (const auth of [null, 'Bearer not.a.token']) {
        const response = await call(method as 'GET', url, payload, auth);
        expectProblem(response, 401, auth === null ? 'auth.unauthenticated' : 'auth.invalid_token');
        expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
    expect(await stored(ada.id)).toEqual(before);
  });

  it('authenticates before it validates: no token and a bad body is 401, not 422', async () => {
    const ada = await signedUpMember(app);
    expectProblem(
      await call('PATCH', `/api/v1/members/${ada.id}`, { nope: 1 }, null),
      401,
      'auth.unauthenticated',
    );
    expectProblem(
      await call('GET', '/api/v1/members/not-an-id', undefined, null),
      401,
      'auth.unauthenticated',
    );
  });

  it('answers 403 member.access_denied when a member reads or changes another member, and changes nothing', async () => {
    const [ada, mallory] = [await signedUpMember(app), await signedUpMember(app)];
    const before = await stored(ada.id);
    for (const [method, url, payload] of memberRoutes(ada.id)) {
      expectProblem(await call(method as 'GET', url, payload, mallory.auth), 403, 'member.access_denied');
    }
    expect(await stored(ada.id)).toEqual(before);
  });

  it('answers 403, not 404, for an id that does not exist, so members cannot probe for ids', async () => {
    const mallory = await signedUpMember(app);
    expectProblem(
      await call('GET', '/api/v1/members/12345', undefined, mallory.auth),
      403,
      'member.access_denied',
    );
  });

  it('lets members read and change their own account', async () => {
    const ada = await signedUpMember(app);
    expect((await call('GET', `/api/v1/members/${ada.id}`, undefined, ada.auth)).statusCode).toBe(200);
    const renamed = await call('PATCH', `/api/v1/members/${ada.id}`, { name: 'Ada King' }, ada.auth);
    expect(renamed.json()).toMatchObject({ id: ada.id, name: 'Ada King' });
    const email = uniqueEmail();
    const moved = await call('PATCH', `/api/v1/members/${ada.id}/email`, { email }, ada.auth);
    expect(moved.json()).toMatchObject({ email });
  });

  it('GET /members/me answers the member the token names', async () => {
    const ada = await signedUpMember(app);
    const response = await call('GET', '/api/v1/members/me', undefined, ada.auth);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: ada.id, email: ada.email, is_superuser: false });
    expect((await call('GET', '/api/v1/members/me')).json()).toMatchObject({
      id: root.id,
      is_superuser: true,
    });
  });

  it('lists members for superusers only: a member gets 403 auth.forbidden', async () => {
    const ada = await signedUpMember(app);
    expectProblem(await call('GET', '/api/v1/members', undefined, ada.auth), 403, 'auth.forbidden');
    expect((await call('GET', '/api/v1/members')).statusCode).toBe(200);
  });

  it('wants current_passwd when members change their own password, superusers included', async () => {
    const ada = await signedUpMember(app);
    const url = `/api/v1/members/${ada.id}/password`;
    expectProblem(
      await call('PATCH', url, { passwd: 'Even-Better-10' }, ada.auth),
      400,
      'member.current_password_required',
    );
    expectProblem(
      await call('PATCH', url, { passwd: 'Even-Better-10', current_passwd: 'Wrong-Guess-1' }, ada.auth),
      400,
      'member.wrong_password',
    );
    const ok = await call('PATCH', url, { passwd: 'Even-Better-10', current_passwd: ada.password }, ada.auth);
    expect(ok.statusCode).toBe(200);

    const rootUrl = `/api/v1/members/${root.id}/password`;
    expectProblem(
      await call('PATCH', rootUrl, { passwd: 'Even-Better-10' }),
      400,
      'member.current_password_required',
    );
  });

  it("lets a superuser reset another member's password without knowing it", async () => {
    const ada = await signedUpMember(app);
    const before = (await stored(ada.id))?.password_hash;
    const response = await call('PATCH', `/api/v1/members/${ada.id}/password`, { passwd: 'Reset-By-Root-1' });
    expect(response.statusCode).toBe(200);
    expect((await stored(ada.id))?.password_hash).not.toBe(before);
  });

  it('lets a superuser delete another member, but not themself (403)', async () => {
    const ada = await signedUpMember(app);
    expect((await call('DELETE', `/api/v1/members/${ada.id}`)).statusCode).toBe(204);
    expectProblem(
      await call('DELETE', `/api/v1/members/${root.id}`),
      403,
      'member.superuser_cannot_delete_self',
    );
    expect((await stored(root.id))?.deleted_at).toBeNull();
  });

  it('lets members delete themselves; their remaining access token then finds no member (404)', async () => {
    const ada = await signedUpMember(app);
    expect((await call('DELETE', `/api/v1/members/${ada.id}`, undefined, ada.auth)).statusCode).toBe(204);
    expectProblem(await call('GET', '/api/v1/members/me', undefined, ada.auth), 404, 'member.not_found');
    expectProblem(
      await call('GET', `/api/v1/members/${ada.id}`, undefined, ada.auth),
      404,
      'member.not_found',
    );
    expectProblem(
      await call('PATCH', `/api/v1/members/${ada.id}`, { name: 'Ghost' }, ada.auth),
      404,
      'member.not_found',
    );
    expectProblem(
      await call('DELETE', `/api/v1/members/${ada.id}`, undefined, ada.auth),
      404,
      'member.not_found',
    );
  });
});
