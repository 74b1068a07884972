import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { bearerFor, signedUpMember, uniqueEmail } from '../../../../test/support/members.ts';
import { signIn } from '../../../../test/support/oauth.ts';
import type { App } from '../../../app.ts';
import { FixedClock } from '../../../shared/domain/clock.ts';

const LIMITS = {
  RATE_LIMIT_TOKEN_PER_ACCOUNT: '3',
  RATE_LIMIT_TOKEN_PER_ACCOUNT_WINDOW: '15m',
  RATE_LIMIT_TOKEN_PER_IP: '8',
  RATE_LIMIT_TOKEN_PER_IP_WINDOW: '60',
  RATE_LIMIT_RECOVERY_PER_EMAIL: '2',
  RATE_LIMIT_RECOVERY_PER_EMAIL_WINDOW: '1h',
  RATE_LIMIT_RECOVERY_PER_IP: '4',
  RATE_LIMIT_RECOVERY_PER_IP_WINDOW: '60',
};

let ips = 0;
/** A client address of its own per test, so per-IP counts never leak from one test to another. */
function anIp(): string {
  ips += 1;
  return `10.0.${Math.floor(ips / 250)}.${ips % 250}`;
}

function expectRateLimited(
  response: { status: number; headers: Record<string, unknown>; body: unknown },
  max: number,
) {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 429, code: 'request.rate_limited' });
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(max);
}

for (const store of ['memory', 'database'] as const) {
  describe(`rate limits of the auth endpoints (RATE_LIMIT_STORE=${store})`, () => {
    let app: App;
    const clock = new FixedClock(new Date());
    beforeAll(async () => {
      app = await testApp({ clock, env: { ...LIMITS, RATE_LIMIT_STORE: store } });
    });
    afterAll(() => app.close());

    function recovery(email: string, ip: string) {
      return app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/password-recovery',
        payload: { email },
        remoteAddress: ip,
      });
    }

    it(`sweeps ended windows in the hourly housekeeping ${store === 'database' ? '(the shared table)' : '(none: memory forgets them itself)'}`, async () => {
      const ada = await signedUpMember(app);
      await signIn(app, ada.email, 'Wrong-Guess-1!', { remoteAddress: anIp() });
      clock.advance(3_600_000);
      const done = await app.housekeeping.runNow();
      if (store === 'database') expect(done['rate limits']?.windows).toBeGreaterThan(0);
      else expect(done['rate limits']).toBeUndefined();
    });

    it('stops a brute force on one account after the failed attempts, even from many IPs, with Retry-After', async () => {
      const ada = await signedUpMember(app);
      for (let i = 0; i < 3; i += 1) {
        expect((await signIn(app, ada.email, `Guess-Number-${i}!`, { remoteAddress: anIp() })).status).toBe(
          400,
        );
      }
      const blocked = await signIn(app, ada.email, ada.password, { remoteAddress: anIp() });
      expectRateLimited(blocked, 900);
      // Another account is not affected.
      const grace = await signedUpMember(app);
      expect((await signIn(app, grace.email, grace.password, { remoteAddress: anIp() })).status).toBe(200);
      clock.advance(900_000);
      expect((await signIn(app, ada.email, ada.password, { remoteAddress: anIp() })).status).toBe(200);
    });

    it('stops guessing the current password through a password change, per member, with Retry-After', async () => {
      const ada = await signedUpMember(app);
      const change = (current: string, auth = ada.auth, id = ada.id) =>
        app.http.inject({
          method: 'PATCH',
          url: `/api/v1/members/${id}/password`,
          headers: { authorization: auth },
          payload: { current_passwd: current, passwd: 'Brand-New-Pass-7!' },
        });
      // Refusals other than a wrong password do not count: another member's attempts get 403.
      const mallory = await signedUpMember(app);
      for (let i = 0; i < 5; i += 1) {
        expect((await change('Whatever-1!', mallory.auth, ada.id)).statusCode).toBe(403);
      }
      for (let i = 0; i < 3; i += 1) {
        const wrong = await change(`Guess-Number-${i}!`);
        expect(wrong.statusCode).toBe(400);
        expect(wrong.json()).toMatchObject({ code: 'member.wrong_password' });
      }
      const blocked = await change(ada.password);
      expectRateLimited({ status: blocked.statusCode, headers: blocked.headers, body: blocked.json() }, 900);
      // Another member is not affected, and after the window the right password works.
      expect((await change(mallory.password, mallory.auth, mallory.id)).statusCode).toBe(200);
      clock.advance(900_000);
      // (with a new access token: the first one lived exactly as long as the window)
      expect((await change(ada.password, bearerFor(app, ada.id, 'member'))).statusCode).toBe(200);
    });

    it('limits an unknown email exactly like a member’s, so a 429 tells nothing', async () => {
      const nobody = uniqueEmail('nobody');
      for (let i = 0; i < 3; i += 1) await signIn(app, nobody, 'Guess-1!', { remoteAddress: anIp() });
      expectRateLimited(await signIn(app, nobody, 'Guess-1!', { remoteAddress: anIp() }), 900);
    });

    it('does not count successful sign-ins against the account', async () => {
      const ada = await signedUpMember(app);
      for (let i = 0; i < 6; i += 1) {
        expect((await signIn(app, ada.email, ada.password, { remoteAddress: anIp() })).status).toBe(200);
      }
      await signIn(app, ada.email, 'Wrong-1!', { remoteAddress: anIp() });
      expect((await signIn(app, ada.email, ada.password, { remoteAddress: anIp() })).status).toBe(200);
    });

    it('limits every request to /auth/token per client IP, malformed ones included', async () => {
      const ip = anIp();
      for (let i = 0; i < 8; i += 1) {
        const response = await app.http.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'grant_type=nonsense',
          remoteAddress: ip,
        });
        expect(response.statusCode).toBe(400);
      }
      const ada = await signedUpMember(app);
      expectRateLimited(await signIn(app, ada.email, ada.password, { remoteAddress: ip }), 60);
      expect((await signIn(app, ada.email, ada.password, { remoteAddress: anIp() })).status).toBe(200);
    });

    it('limits password recovery per email and per IP', async () => {
      const ada = await signedUpMember(app);
      expect((await recovery(ada.email, anIp())).statusCode).toBe(202);
      expect((await recovery(ada.email.toUpperCase(), anIp())).statusCode).toBe(202);
      const perEmail = await recovery(ada.email, anIp());
      expectRateLimited(
        { status: perEmail.statusCode, headers: perEmail.headers, body: perEmail.json() },
        3600,
      );

      const ip = anIp();
      for (let i = 0; i < 4; i += 1) expect((await recovery(uniqueEmail(), ip)).statusCode).toBe(202);
      const perIp = await recovery(uniqueEmail(), ip);
      expectRateLimited({ status: perIp.statusCode, headers: perIp.headers, body: perIp.json() }, 60);
    });

    if (store === 'database') {
      it('keeps the counters in shared.rate_limits, under hashed keys', async () => {
        const email = uniqueEmail('counted');
        await signIn(app, email, 'Guess-1!', { remoteAddress: '192.0.2.7' });
        const { rows } = await sql<{ key: string; hits: number }>`
          select key, hits from shared.rate_limits where key like 'auth.token.%'`.execute(app.database.db);
        expect(rows.length).toBeGreaterThan(0);
        expect(JSON.stringify(rows)).not.toContain(email);
        expect(JSON.stringify(rows)).not.toContain('192.0.2.7');
      });
    }
  });
}

describe('behind a proxy (TRUST_PROXY)', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp({ env: { ...LIMITS, TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(() => app.close());

  it('counts per client as X-Forwarded-For names it, when the proxy is trusted', async () => {
    const send = (client: string) =>
      app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client },
        payload: 'grant_type=nonsense',
        remoteAddress: '127.0.0.1',
      });
    for (let i = 0; i < 8; i += 1) await send('203.0.113.1');
    expect((await send('203.0.113.1')).statusCode).toBe(429);
    expect((await send('203.0.113.2')).statusCode).toBe(400);
  });
});
