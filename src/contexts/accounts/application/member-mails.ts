import { type MailMessage, maskedAddress } from '../../../shared/application/mailer.ts';

/**
 * The mails the accounts context sends members, each in plain text and HTML. Every value that
 * comes from a member is escaped in the HTML part; subjects are fixed text, never member input.
 */

export function welcomeMail(
  member: { readonly email: string; readonly name: string },
  publicUrl: string,
): MailMessage {
  const signIn = `${publicUrl}/docs`;
  return {
    to: member.email,
    subject: 'Welcome to Bounded',
    text: [
      `Hello ${member.name},`,
      '',
      `Your Bounded account for ${member.email} is ready.`,
      `Sign in and explore the API at ${signIn}`,
      '',
      'If you did not sign up, you can ignore this message.',
    ].join('\n'),
    html: [
      `<p>Hello ${escapeHtml(member.name)},</p>`,
      `<p>Your Bounded account for <strong>${escapeHtml(member.email)}</strong> is ready.</p>`,
      `<p><a href="${escapeHtml(signIn)}">Sign in and explore the API</a></p>`,
      '<p>If you did not sign up, you can ignore this message.</p>',
    ].join('\n'),
  };
}

/**
 * Sent to the address a member moved away from: if someone else changed it, this is how the
 * owner finds out. The new address is masked, because the old mailbox may no longer be theirs.
 */
export function emailChangedNotice(
  change: { readonly old_email: string; readonly new_email: string },
  publicUrl: string,
): MailMessage {
  const masked = maskedAddress(change.new_email);
  return {
    to: change.old_email,
    subject: 'Your Bounded email address was changed',
    text: [
      'Hello,',
      '',
      `The email address of your Bounded account was changed from ${change.old_email} to ${masked}.`,
      'Messages about the account now go to the new address.',
      '',
      `If you did not make this change, contact us at once: ${publicUrl}`,
    ].join('\n'),
    html: [
      '<p>Hello,</p>',
      `<p>The email address of your Bounded account was changed from <strong>${escapeHtml(change.old_email)}</strong> to <strong>${escapeHtml(masked)}</strong>.</p>`,
      '<p>Messages about the account now go to the new address.</p>',
      `<p>If you did not make this change, <a href="${escapeHtml(publicUrl)}">contact us at once</a>.</p>`,
    ].join('\n'),
  };
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
