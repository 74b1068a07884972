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

/**
 * An address with its local part cut to its first character, `ada.king@example.com` →
 * `a***@example.com`: enough to tell mails apart, or for its owner to recognise it, without
 * giving it away (notices to a changed address, mail logs in production).
 */
export function maskedAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address.slice(0, 1)}***${address.slice(at)}`;
}
