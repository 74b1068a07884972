import type { Mailer } from '../../../shared/application/mailer.ts';
import type { MemberEmailChanged, MemberRegistered } from '../domain/events.ts';
import { emailChangedNotice, welcomeMail } from './member-mails.ts';

export interface MemberMailDependencies {
  readonly mailer: Mailer;
  /** PUBLIC_URL, for the links in the mails. */
  readonly publicUrl: string;
}

/**
 * Subscribers of the accounts context's own events, run by the outbox relay after the command
 * committed (never inside it: a slow or failing mail server must not fail a sign-up). A mail is
 * an effect outside the database, so on a retry after a lost commit it may be sent twice; it is
 * the last thing the delivery does, which keeps that window small.
 */
export async function sendWelcomeMail(event: MemberRegistered, deps: MemberMailDependencies): Promise<void> {
  await deps.mailer.send(welcomeMail(event.payload, deps.publicUrl));
}

export async function sendEmailChangedNotice(
  event: MemberEmailChanged,
  deps: MemberMailDependencies,
): Promise<void> {
  await deps.mailer.send(emailChangedNotice(event.payload, deps.publicUrl));
}
