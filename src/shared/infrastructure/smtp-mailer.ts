import { createTransport, type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from '../application/mailer.ts';

export interface SmtpMailerOptions {
  /** smtp://user:password@host:port or smtps://… (SMTP_URL). */
  readonly url: string;
  /** The From header (MAIL_FROM). */
  readonly from: string;
}

/**
 * Sends mail over SMTP with nodemailer, through a small pool of reused connections. Timeouts are
 * short: a send runs inside an outbox delivery's transaction, and a hung server must fail the
 * attempt (to be retried with backoff) rather than hold a database connection for minutes.
 */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: SmtpMailerOptions) {
    this.#from = options.from;
    this.#transport = createTransport({
      url: options.url,
      pool: true,
      maxConnections: 2,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(message: MailMessage): Promise<void> {
    const info = await this.#transport.sendMail({
      from: this.#from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    // The server may accept the session yet refuse the recipient: that is a failed send.
    if (Array.isArray(info.rejected) && info.rejected.length > 0) {
      throw new Error(`The SMTP server refused the recipient ${String(info.rejected[0])}`);
    }
  }

  close(): void {
    this.#transport.close();
  }
}
