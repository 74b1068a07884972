import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture } from '../../../test/support/log-capture.ts';
import { FixedClock } from '../domain/clock.ts';
import { Id } from '../domain/id.ts';
import { JwtAccessTokens } from '../infrastructure/jwt-access-tokens.ts';
import { authGuard, principalOf } from './auth-guard.ts';
import { registerProblemHandlers } from './problem-details.ts';

const clock = new FixedClock('2026-06-01T10:00:00.000Z');
const tokens = new JwtAccessTokens({
  secret: 'a-test-secret-of-at-least-32-bytes!!',
  ttlSeconds: 900,
  issuer: 'bounded',
  audience: 'bounded-api',
  clock,
});
const ada = Id.of('7265011392712704001');
let handled = 0;
let app: FastifyInstance;

const logs = new LogCapture();

beforeAll(async () => {
  app = Fastify({ logger: { level: 'warn', stream: logs } });
  registerProblemHandlers(app, {});
  const guard = authGuard(tokens);
  app.get('/member', { preHandler: guard.member }, async (request) => {
    handled += 1;
    const principal = principalOf(request);
    return { id: principal.memberId.toString(), role: principal.role };
  });
  app.get('/superuser', { preHandler: guard.superuser }, async () => {
    handled += 1;
    return { ok: true };
  });
  await app.ready();
});
afterAll(() => app.close());

const bearer = (role: 'member' | 'superuser') => `Bearer ${tokens.issue({ memberId: ada, role }).token}`;

async function call(url: string, authorization?: string) {
  const before = handled;
  const response = await app.inject({
    method: 'GET',
    url,
    headers: authorization === undefined ? {} : { authorization },
  });
  return { response, ran: handled > before };
}

describe('the auth guard', () => {
  it('answers a superuser route without a token once: 401, and nothing sent after it', async () => {
    const { response, ran } = await call('/superuser');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'auth.unauthenticated' });
    expect(ran).toBe(false);
    // Before, the superuser check awaited the sent reply (a thenable: undefined) and sent a 403
    // after the 401, which Fastify logged as FST_ERR_REP_ALREADY_SENT.
    expect(logs.lines).toEqual([]);
  });

  it('lets a valid token through and puts its principal on the request', async () => {
    const { response, ran } = await call('/member', bearer('member'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: ada.toString(), role: 'member' });
    expect(ran).toBe(true);
  });

  it('accepts the scheme name in any case', async () => {
    const token = bearer('member').slice('Bearer '.length);
    expect((await call('/member', `bearer ${token}`)).response.statusCode).toBe(200);
    expect((await call('/member', `BEARER ${token}`)).response.statusCode).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic YWRhOnNlY3JldA=='],
  ])('answers %s with 401 and a bare Bearer challenge, without running the route', async (_l, header) => {
    const { response, ran } = await call('/member', header);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 401, code: 'auth.unauthenticated' });
    expect(ran).toBe(false);
  });

  it.each([
    ['an empty bearer', 'Bearer'],
    ['a bearer that is not a JWT', 'Bearer abc'],
    ['a forged token', `${bearer('member').slice(0, -3)}AAA`],
    ['two tokens', `${bearer('member')} ${bearer('member').slice(7)}`],
    ['an enormous header', `Bearer ${'a'.repeat(5000)}.b.c`],
  ])('answers %s with 401 error="invalid_token", without running the route', async (_l, header) => {
    const { response, ran } = await call('/member', header);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(response.json()).toMatchObject({ status: 401, code: 'auth.invalid_token' });
    expect(ran).toBe(false);
  });

  it('answers an expired token with 401 invalid_token', async () => {
    const header = bearer('member');
    clock.advance(900_000);
    try {
      const { response } = await call('/member', header);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/invalid_token/);
    } finally {
      clock.advance(-900_000);
    }
  });

  it('lets only a superuser through the superuser guard: a member gets 403', async () => {
    expect((await call('/superuser', bearer('superuser'))).response.statusCode).toBe(200);
    const { response, ran } = await call('/superuser', bearer('member'));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ status: 403, code: 'auth.forbidden' });
    expect(ran).toBe(false);
    expect((await call('/superuser')).response.statusCode).toBe(401);
  });
});
