import type { FastifyBaseLogger } from 'fastify';
import type { Mailer, MailMessage } from '../../../shared/application/mailer.ts';

/**
 * The stand-in mailer until the shared SMTP and logging mailers are wired in (SMTP_URL): it
 * writes each mail to the log, links included, which is what a developer without a mail server
 * needs and what a production log must not hold.
 */
export class LoggingMailer implements Mailer {
  readonly #logger: FastifyBaseLogger;

  constructor(logger: FastifyBaseLogger) {
    this.#logger = logger;
  }

  async send(message: MailMessage): Promise<void> {
    this.#logger.info(
      { mail: { to: message.to, subject: message.subject, text: message.text } },
      'mail (not sent: no mailer configured)',
    );
  }
}
