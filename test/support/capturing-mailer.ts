import type { Mailer, MailMessage } from '../../src/shared/application/mailer.ts';

/** A mailer that keeps what it is given, and can be told to fail (a mail server that is down). */
export class CapturingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  failing = false;

  async send(message: MailMessage): Promise<void> {
    if (this.failing) throw new Error('the mail server is down');
    this.sent.push(message);
  }

  /** The reset token in the last mail's link. */
  lastResetToken(): string {
    const text = this.sent.at(-1)?.text ?? '';
    const token = /#token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
    if (token === undefined) throw new Error(`no reset link in the last mail:\n${text}`);
    return token;
  }
}
