import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { FakePasswordHasher } from '../../../../test/support/fake-password-hasher.ts';
import { signedUpMember } from '../../../../test/support/members.ts';
import { refresh, signIn } from '../../../../test/support/oauth.ts';
import type { App } from '../../../app.ts';

let app: App;
beforeAll(async () => {
  app = await testApp({ hasher: new FakePasswordHasher() });
});
afterAll(() => app.close());

async function count(table: string, memberId: string): Promise<number> {
  const column = table === 'accounts.refresh_tokens' ? 's.member_id' : 't.member_id';
  const from =
    table === 'accounts.refresh_tokens'
      ? sql`accounts.refresh_tokens t join accounts.sessions s on s.id = t.session_id`
      : sql.raw(`${table} t`);
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from ${from} where ${sql.raw(column)} = ${memberId}`.execute(app.database.db);
  return rows[0]!.n;
}

describe('accounts housekeeping', () => {
  it('deletes sessions and password resets 30 days after they ended, and nothing that can still be used', async () => {
    const ada = await signedUpMember(app);
    const kept = await signIn(app, ada.email, ada.password);
    const signedOut = await signIn(app, ada.email, ada.password);
    await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/revoke',
      payload: { token: signedOut.body.refresh_token },
    });
    const expired = await signIn(app, ada.email, ada.password);
    await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/password-recovery',
      payload: { email: ada.email },
    });
    await app.relay.drain(); // the mail subscriber makes the reset
    expect(await count('accounts.sessions', ada.id)).toBe(3);
    expect(await count('accounts.password_resets', ada.id)).toBe(1);

    // Over for 31 days: the signed-out session and the one whose refresh token expired.
    const db = app.database.db;
    await sql`update accounts.sessions set revoked_at = now() - interval '31 days'
               where member_id = ${ada.id} and revoked_at is not null`.execute(db);
    await sql`update accounts.sessions set token_expires_at = now() - interval '31 days'
               where id = (select max(id) from accounts.sessions
                            where member_id = ${ada.id} and revoked_at is null)`.execute(db);

    expect((await app.housekeeping.runNow()).accounts).toEqual({ sessions: 2, passwordResets: 0 });
    expect(await count('accounts.sessions', ada.id)).toBe(1);
    expect(await count('accounts.refresh_tokens', ada.id)).toBe(1);
    expect(await count('accounts.password_resets', ada.id)).toBe(1);
    // A reset that expired 31 days ago goes too.
    await sql`update accounts.password_resets set expires_at = now() - interval '31 days'
               where member_id = ${ada.id}`.execute(db);
    expect((await app.housekeeping.runNow()).accounts).toEqual({ sessions: 0, passwordResets: 1 });
    expect(await count('accounts.password_resets', ada.id)).toBe(0);
    // The session still open works as before; the expired one's token is simply unknown now.
    expect((await refresh(app, String(kept.body.refresh_token))).status).toBe(200);
    expect((await refresh(app, String(expired.body.refresh_token))).status).toBe(400);
    // A second run finds nothing more.
    expect((await app.housekeeping.runNow()).accounts).toEqual({ sessions: 0, passwordResets: 0 });
  });
});
