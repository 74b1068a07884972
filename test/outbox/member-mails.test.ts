import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { Id } from '../../src/shared/domain/id.ts';
import { OutboxOperations } from '../../src/shared/infrastructure/outbox-operations.ts';
import { testApp } from '../support/app.ts';
import { deliveries } from '../support/outbox.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

/**
 * The accounts context's mail subscribers, end to end: HTTP command → outbox → relay → SMTP
 * (nodemailer) → a real SMTP server on loopback.
 */
describe('mails to members, through the outbox and a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let app: App;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await testApp({
      env: {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Bounded <hello@bounded.test>',
        PUBLIC_URL: 'https://bounded.example',
        OUTBOX_RELAY: 'false',
        OUTBOX_BACKOFF_BASE_MS: '0',
        OUTBOX_MAX_ATTEMPTS: '3',
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  /** The delivery status of `subscriber` for the sign-up event of `email`. */
  async function statusOf(subscriber: string, email: string): Promise<string | undefined> {
    const { rows } = await sql<{ status: string }>`
      select d.status from shared.outbox_deliveries d join shared.outbox e on e.id = d.event_id
       where d.subscriber = ${subscriber} and e.payload->>'email' = ${email}`.execute(app.database.db);
    return rows[0]?.status;
  }

  async function register(email: string, name = 'Ada Lovelace') {
    return app.http.inject({
      method: 'POST',
      url: '/api/v1/members',
      payload: { email, passwd: 'Correct-Horse-9', name },
    });
  }

  it('sends the welcome mail to a new member once the relay runs, not during the request', async () => {
    const response = await register('welcome@example.com');
    expect(response.statusCode).toBe(201);
    expect(smtp.received).toHaveLength(0);

    await app.relay.drain();
    expect(await statusOf('accounts.send_welcome_mail', 'welcome@example.com')).toBe('delivered');
    const mail = await smtp.nextMessage();
    expect(mail).toMatchObject({
      from: 'hello@bounded.test',
      to: ['welcome@example.com'],
      subject: 'Welcome to Bounded',
    });
    expect(mail.text).toContain('Hello Ada Lovelace,');
    expect(mail.text).toContain('https://bounded.example/docs');
    expect(mail.html).toContain('<strong>welcome@example.com</strong>');
    expect(await app.relay.drain()).toMatchObject({ claimed: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('sends a notice to the old address when a member changes email', async () => {
    const { id } = (await register('old.address@example.com')).json();
    await app.relay.drain();
    await smtp.nextMessage();

    const changed = await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/members/${id}/email`,
      headers: {
        authorization: `Bearer ${app.accessTokens.issue({ memberId: Id.of(id), role: 'member' }).token}`,
      },
      payload: { email: 'new.address@example.com' },
    });
    expect(changed.statusCode).toBe(200);
    await app.relay.drain();
    const notice = await smtp.nextMessage();
    expect(notice.to).toEqual(['old.address@example.com']);
    expect(notice.subject).toBe('Your Bounded email address was changed');
    expect(notice.text).toContain('changed from old.address@example.com to n***@example.com');
  });

  it('sends nothing for a command that was refused and rolled back', async () => {
    await register('taken@example.com');
    await app.relay.drain();
    await smtp.nextMessage();
    const before = smtp.received.length;

    expect((await register('taken@example.com', 'Someone Else')).statusCode).toBe(409);
    expect(await app.relay.drain()).toMatchObject({ claimed: 0 });
    expect(smtp.received).toHaveLength(before);
  });

  it('dead-letters the mail while the server refuses it; `outbox retry` sends it once the server accepts again', async () => {
    smtp.refuseRecipients = true;
    await register('patient@example.com');
    const failing = await app.relay.drain();
    smtp.refuseRecipients = false;
    expect(failing).toMatchObject({ dead: 1 });
    const dead = (await deliveries(app.database.db)).find((d) => d.status === 'dead');
    expect(dead).toMatchObject({ subscriber: 'accounts.send_welcome_mail', attempts: 3 });
    expect(dead?.last_error).toMatch(/Mailbox unavailable/);
    expect(smtp.received.some((m) => m.to.includes('patient@example.com'))).toBe(false);

    expect(await OutboxOperations.retry(app.database.db, { id: dead!.id })).toMatchObject({
      kind: 'requeued',
    });
    expect(await app.relay.drain()).toMatchObject({ delivered: 1 });
    expect((await smtp.nextMessage()).to).toEqual(['patient@example.com']);
  });
});

describe('mails to members, with the relay running in the background', () => {
  it('arrive shortly after the sign-up, with no one asking the relay', async () => {
    const smtp = await startSmtpServer();
    // A poll interval of a minute: only the wake-up after commit delivers within the test's time.
    const app = await testApp({ env: { SMTP_URL: smtp.url, OUTBOX_POLL_INTERVAL_MS: '60000' } });
    try {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: { email: 'background@example.com', passwd: 'Correct-Horse-9', name: 'Grace Hopper' },
      });
      expect(response.statusCode).toBe(201);
      const mail = await smtp.nextMessage();
      expect(mail.to).toEqual(['background@example.com']);
      expect(mail.text).toContain('Hello Grace Hopper,');
    } finally {
      await app.close();
      await smtp.close();
    }
  });
});
