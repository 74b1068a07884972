import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.ts';
import { SmtpMailer } from './smtp-mailer.ts';

describe('the SMTP mailer, against a real SMTP server on loopback', () => {
  let smtp: TestSmtpServer;
  let mailer: SmtpMailer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    mailer = new SmtpMailer({ url: smtp.url, from: 'Bounded <no-reply@bounded.test>' });
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
  });

  it('sends one message with its recipient, sender, subject, text and HTML', async () => {
    await mailer.send({
      to: 'ada@example.com',
      subject: 'Hello',
      text: 'Plain words, and a café.',
      html: '<p>Plain <em>words</em>, and a café.</p>',
    });
    const mail = await smtp.nextMessage();
    expect(mail).toMatchObject({
      from: 'no-reply@bounded.test',
      to: ['ada@example.com'],
      subject: 'Hello',
      text: 'Plain words, and a café.',
      html: '<p>Plain <em>words</em>, and a café.</p>',
    });
    expect(mail.raw).toMatch(/^From: Bounded <no-reply@bounded\.test>/m);
  });

  it('fails the send when the server refuses the recipient, so the delivery is retried', async () => {
    smtp.refuseRecipients = true;
    try {
      await expect(
        mailer.send({ to: 'gone@example.com', subject: 'x', text: 'x', html: '<p>x</p>' }),
      ).rejects.toThrow();
    } finally {
      smtp.refuseRecipients = false;
    }
  });
});
