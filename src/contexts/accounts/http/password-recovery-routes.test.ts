import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { CapturingMailer } from '../../../../test/support/capturing-mailer.ts';
import { signedUpMember, uniqueEmail } from '../../../../test/support/members.ts';
import { refresh, signIn } from '../../../../test/support/oauth.ts';
import { deliver, storedEvents } from '../../../../test/support/outbox.ts';
import type { App } from '../../../app.ts';
import { FixedClock } from '../../../shared/domain/clock.ts';

const SUBSCRIBER = 'accounts.send_password_reset_mail';
const EVENT = 'accounts.password_recovery_requested';

let app: App;
const clock = new FixedClock(new Date());
const mailer = new CapturingMailer();
beforeAll(async () => {
  app = await testApp({
    clock,
    mailer,
    // The reset mail is delivered by hand (deliver()), so the background relay stays off.
    env: {
      OUTBOX_RELAY: 'false',
      PUBLIC_URL: 'https://bounded.example.com',
      RATE_LIMIT_RECOVERY_PER_IP: '100000',
      RATE_LIMIT_RECOVERY_PER_EMAIL: '100000',
      RATE_LIMIT_TOKEN_PER_IP: '100000',
    },
  });
});
afterAll(() => app.close());

function askForReset(email: string) {
  return app.http.inject({ method: 'POST', url: '/api/v1/auth/password-recovery', payload: { email } });
}

function resetPassword(token: string, passwd: string) {
  return app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { token, passwd } });
}

/** Asks for a reset and delivers the event, as the relay will; answers the token from the mail. */
async function mailedToken(email: string): Promise<string> {
  const before = (await storedEvents(app, EVENT)).length;
  expect((await askForReset(email)).statusCode).toBe(202);
  const events = await storedEvents(app, EVENT);
  expect(events.length).toBe(before + 1);
  await deliver(app, SUBSCRIBER, events.at(-1)!);
  return mailer.lastResetToken();
}

describe('POST /api/v1/auth/password-recovery', () => {
  it('answers 202 alike for a member and for an unknown email, and records the request for members only', async () => {
    const ada = await signedUpMember(app);
    const before = (await storedEvents(app, EVENT)).length;
    const known = await askForReset(ada.email.toUpperCase());
    const unknown = await askForReset(uniqueEmail('nobody'));
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    const events = (await storedEvents(app, EVENT)).slice(before);
    expect(events.map((e) => [String(e.aggregate_id), e.payload])).toEqual([[ada.id, { email: ada.email }]]);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, 422],
    ['an unknown field', { email: 'a@example.com', admin: true }, 422],
    ['no email', {}, 422],
  ])('refuses %s', async (_label, payload, status) => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/password-recovery',
      payload,
    });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('takes JSON only (the form parser belongs to the OAuth endpoints)', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/password-recovery',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40example.com',
    });
    expect(response.statusCode).toBe(415);
  });
});

describe('the reset mail (subscriber of accounts.password_recovery_requested)', () => {
  it('mails a link with a 256-bit token, to the member, and stores only its hash', async () => {
    const ada = await signedUpMember(app, { name: 'Ada <b>Lovelace</b>' });
    const token = await mailedToken(ada.email);
    const mail = mailer.sent.at(-1)!;
    expect(mail.to).toBe(ada.email);
    expect(mail.text).toContain(`https://bounded.example.com/reset-password#token=${token}`);
    expect(mail.text).toMatch(/30 minutes/);
    expect(mail.html).toContain('Ada &lt;b&gt;Lovelace&lt;/b&gt;');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows } = await sql<{ token_hash: string }>`
      select token_hash from accounts.password_resets where member_id = ${ada.id}`.execute(app.database.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).not.toBe(token);
    const outbox = await sql<{ payload: unknown }>`select payload from shared.outbox`.execute(
      app.database.db,
    );
    expect(JSON.stringify(outbox.rows)).not.toContain(token);
  });

  it('sends nothing when the member is gone or has moved to another address since', async () => {
    const [gone, moved] = [await signedUpMember(app), await signedUpMember(app)];
    const before = (await storedEvents(app, EVENT)).length;
    await askForReset(gone.email);
    await askForReset(moved.email);
    await app.http.inject({
      method: 'DELETE',
      url: `/api/v1/members/${gone.id}`,
      headers: { authorization: gone.auth },
    });
    await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/members/${moved.id}/email`,
      headers: { authorization: moved.auth },
      payload: { email: uniqueEmail() },
    });
    const sent = mailer.sent.length;
    for (const event of (await storedEvents(app, EVENT)).slice(before)) await deliver(app, SUBSCRIBER, event);
    expect(mailer.sent.length).toBe(sent);
  });

  it('stores no token when the mail cannot be sent (the relay will try again)', async () => {
    const ada = await signedUpMember(app);
    await askForReset(ada.email);
    const event = (await storedEvents(app, EVENT)).at(-1)!;
    mailer.failing = true;
    try {
      await expect(deliver(app, SUBSCRIBER, event)).rejects.toThrow(/mail server is down/);
    } finally {
      mailer.failing = false;
    }
    const { rows } = await sql`select 1 from accounts.password_resets where member_id = ${ada.id}`.execute(
      app.database.db,
    );
    expect(rows).toEqual([]);
    await deliver(app, SUBSCRIBER, event);
    expect(mailer.sent.at(-1)?.to).toBe(ada.email);
  });

  it('mails the link only once its token is stored: a token that cannot be stored sends nothing', async () => {
    const ada = await signedUpMember(app);
    await askForReset(ada.email);
    const event = (await storedEvents(app, EVENT)).at(-1)!;
    const sent = mailer.sent.length;
    // Every new reset row is refused (NOT VALID: the rows already there are not checked).
    await sql`alter table accounts.password_resets add constraint refuse_all check (false) not valid`.execute(
      app.database.db,
    );
    try {
      await expect(deliver(app, SUBSCRIBER, event)).rejects.toThrow(/refuse_all/);
    } finally {
      await sql`alter table accounts.password_resets drop constraint refuse_all`.execute(app.database.db);
    }
    expect(mailer.sent.length).toBe(sent);
    await deliver(app, SUBSCRIBER, event);
    expect(mailer.sent.at(-1)?.to).toBe(ada.email);
  });
});

describe('POST /api/v1/auth/password-reset', () => {
  it('sets the new password with the mailed token and signs the member out everywhere', async () => {
    const ada = await signedUpMember(app);
    const session = String((await signIn(app, ada.email, ada.password)).body.refresh_token);
    const token = await mailedToken(ada.email);
    const response = await resetPassword(token, 'Recovered-Pass-1');
    expect(response.statusCode).toBe(204);
    expect((await refresh(app, session)).body.error).toBe('invalid_grant');
    expect((await signIn(app, ada.email, ada.password)).body.error).toBe('invalid_grant');
    expect((await signIn(app, ada.email, 'Recovered-Pass-1')).status).toBe(200);
    const events = await sql<{ name: string }>`
      select name from shared.outbox where aggregate_id = ${ada.id} order by id`.execute(app.database.db);
    expect(events.rows.map((r) => r.name)).toContain('accounts.member_password_changed');
  });

  it('takes a token once: the second use is 400 auth.invalid_reset_token', async () => {
    const ada = await signedUpMember(app);
    const token = await mailedToken(ada.email);
    expect((await resetPassword(token, 'Recovered-Pass-1')).statusCode).toBe(204);
    const again = await resetPassword(token, 'Attacker-Pass-1!');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'auth.invalid_reset_token' });
    expect((await signIn(app, ada.email, 'Recovered-Pass-1')).status).toBe(200);
  });

  it('refuses a token older than 30 minutes', async () => {
    const ada = await signedUpMember(app);
    const token = await mailedToken(ada.email);
    clock.advance(30 * 60_000);
    try {
      const response = await resetPassword(token, 'Recovered-Pass-1');
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'auth.invalid_reset_token' });
    } finally {
      clock.advance(-30 * 60_000);
    }
    expect((await signIn(app, ada.email, ada.password)).status).toBe(200);
  });

  it('works with the latest link only: a newer mail replaces an older one', async () => {
    const ada = await signedUpMember(app);
    const older = await mailedToken(ada.email);
    const newer = await mailedToken(ada.email);
    expect((await resetPassword(older, 'Recovered-Pass-1')).json()).toMatchObject({
      code: 'auth.invalid_reset_token',
    });
    expect((await resetPassword(newer, 'Recovered-Pass-1')).statusCode).toBe(204);
  });

  it('applies the password policy, and a refused password leaves the token usable', async () => {
    const ada = await signedUpMember(app);
    const token = await mailedToken(ada.email);
    const weak = await resetPassword(token, 'weakpassword');
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'member.weak_password' });
    expect((await resetPassword(token, 'Recovered-Pass-1')).statusCode).toBe(204);
  });

  it.each([
    ['a made-up token', 'C'.repeat(43), 400, 'auth.invalid_reset_token'],
    ['a malformed token', 'not a token', 400, 'auth.invalid_reset_token'],
    ['an empty token', '', 422, 'request.invalid'],
    ['an over-long token', 'x'.repeat(200), 422, 'request.invalid'],
  ])('refuses %s', async (_label, token, status, code) => {
    const response = await resetPassword(token, 'Recovered-Pass-1');
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ code });
  });

  it('refuses the token of a member deleted since it was mailed', async () => {
    const ada = await signedUpMember(app);
    const token = await mailedToken(ada.email);
    await app.http.inject({
      method: 'DELETE',
      url: `/api/v1/members/${ada.id}`,
      headers: { authorization: ada.auth },
    });
    expect((await resetPassword(token, 'Recovered-Pass-1')).json()).toMatchObject({
      code: 'auth.invalid_reset_token',
    });
  });
});
