import type { FastifyBaseLogger } from 'fastify';
import { type Mailer, type MailMessage, maskedAddress } from '../application/mailer.ts';

/**
 * The mailer when SMTP_URL is unset: each message is written to the log instead of being sent, so
 * development needs no mail server. Mails may carry links that grant access (a password reset's),
 * so the body is logged only when `withBody` (outside production): in production the log gets the
 * subject and the recipient, masked (`a***@example.com`), and whoever reads the logs can neither
 * take over an account nor collect the members' addresses.
 */
export class LoggingMailer implements Mailer {
  readonly #log: FastifyBaseLogger;
  readonly #withBody: boolean;

  constructor(logger: FastifyBaseLogger, { withBody }: { withBody: boolean }) {
    this.#log = logger;
    this.#withBody = withBody;
  }

  async send(message: MailMessage): Promise<void> {
    const { to, subject, text } = message;
    this.#log.info(
      { mail: this.#withBody ? { to, subject, text } : { to: maskedAddress(to), subject } },
      this.#withBody
        ? 'mail (not sent: SMTP_URL is unset)'
        : 'mail not sent: SMTP_URL is unset (body withheld)',
    );
  }
}
