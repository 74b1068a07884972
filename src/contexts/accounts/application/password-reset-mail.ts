import type { MailMessage } from '../../../shared/application/mailer.ts';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The mail with a member's reset link, in text and HTML (the name is the member's own text: escaped). */
export function passwordResetMail(input: {
  readonly to: string;
  readonly name: string;
  readonly link: string;
  readonly token: string;
  readonly minutes: number;
}): MailMessage {
  const { to, name, link, token, minutes } = input;
  return {
    to,
    subject: 'Reset your Bounded password',
    text: [
      `Hello ${name},`,
      '',
      `Someone, hopefully you, asked to reset the password of your Bounded account. Open this link within ${minutes} minutes to choose a new one:`,
      '',
      link,
      '',
      `(Or send this token to POST /api/v1/auth/password-reset: ${token})`,
      '',
      'The link works once. If you did not ask for it, ignore this mail: your password stays as it is.',
    ].join('\n'),
    html: [
      `<p>Hello ${escapeHtml(name)},</p>`,
      `<p>Someone, hopefully you, asked to reset the password of your Bounded account. Open this link within ${minutes} minutes to choose a new one:</p>`,
      `<p><a href="${escapeHtml(link)}">Reset my password</a></p>`,
      '<p>The link works once. If you did not ask for it, ignore this mail: your password stays as it is.</p>',
    ].join('\n'),
  };
}
