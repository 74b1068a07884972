import type { FastifyBaseLogger } from 'fastify';
import type { Mailer, MailMessage } from '../application/mailer.ts';

/**
 * The mailer when SMTP_URL is unset: each message is written to the log (recipient, subject and
 * the plain-text body) instead of being sent, so development needs no mail server. Mails may
 * carry links that grant access; do not run production without SMTP_URL.
 */
export class LoggingMailer implements Mailer {
  readonly #log: FastifyBaseLogger;

  constructor(logger: FastifyBaseLogger) {
    this.#log = logger;
  }

  async send(message: MailMessage): Promise<void> {
    this.#log.info(
      { mail: { to: message.to, subject: message.subject, text: message.text } },
      'mail (not sent: SMTP_URL is unset)',
    );
  }
}
