/** A message to one recipient, in plain text and HTML. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The port to sending mail: SMTP when SMTP_URL is set, otherwise the message is logged. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
