import { describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.ts';
import { LogCapture } from '../../../test/support/log-capture.ts';
import { signedUpMember } from '../../../test/support/members.ts';
import { deliver, storedEvents } from '../../../test/support/outbox.ts';

const EVENT = 'accounts.password_recovery_requested';

/** Asks for a reset of a new member's password and delivers the mail; every line the app logged. */
async function resetMailLogged(
  env: Record<string, string>,
): Promise<{ lines: Record<string, unknown>[]; email: string }> {
  const logs = new LogCapture();
  const app = await testApp({ env: { OUTBOX_RELAY: 'false', LOG_LEVEL: 'info', ...env }, logStream: logs });
  try {
    const member = await signedUpMember(app);
    const asked = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/password-recovery',
      payload: { email: member.email },
    });
    expect(asked.statusCode).toBe(202);
    await deliver(app, 'accounts.send_password_reset_mail', (await storedEvents(app, EVENT)).at(-1)!);
    return { lines: logs.lines, email: member.email };
  } finally {
    await app.close();
  }
}

describe('mails without SMTP_URL', () => {
  it('are logged with their body in development, reset link included', async () => {
    const { lines, email } = await resetMailLogged({ NODE_ENV: 'development' });
    const [mail] = lines.filter((line) => line.mail);
    expect(mail?.mail).toEqual({
      to: email,
      subject: expect.any(String),
      text: expect.stringMatching(/token=[\w-]{20,}/),
    });
  });

  it('are logged without their body and with the recipient masked in production: no reset link reaches the log', async () => {
    const { lines, email } = await resetMailLogged({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-more-than-32-bytes-0123456789',
    });
    expect(lines.filter((line) => line.mail).map((line) => line.mail)).toEqual([
      { to: `${email[0]}***${email.slice(email.indexOf('@'))}`, subject: expect.any(String) },
    ]);
    // No line of the whole run holds the link, nor the member's address.
    expect(JSON.stringify(lines)).not.toMatch(/token=/);
    expect(JSON.stringify(lines)).not.toContain(email);
  });
});
