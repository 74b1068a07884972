import { Id } from '../../../shared/domain/id.ts';
import type { PasswordRecoveryRequested } from '../domain/events.ts';
import { PasswordReset } from '../domain/password-reset.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { passwordResetMail } from './password-reset-mail.ts';

/**
 * The subscriber of `accounts.password_recovery_requested`: makes a single-use reset token,
 * stores its hash and mails the link, all in the delivery's transaction. The mail goes once the
 * token is written (the unit of work sends its writes when its work ends), never before: if the
 * mail fails the token is rolled back with the delivery and the relay tries again with a new one;
 * a mail sent whose commit then fails carries a dead link, and the retry sends a working one.
 */
export async function sendPasswordResetMail(
  event: PasswordRecoveryRequested,
  deps: AccountsDependencies,
): Promise<void> {
  const token = deps.tokens.mint();
  const member = await deps.uow().run(async ({ members, passwordResets }) => {
    const found = await members.byId(Id.of(String(event.aggregate_id)));
    // Deleted since, or moved to another address: the old address no longer speaks for the account.
    if (found === undefined || found.email.value !== event.payload.email) return undefined;
    await passwordResets.discardUnusedOf(found.id);
    await passwordResets.add(PasswordReset.issue({ memberId: found.id, tokenHash: token.hash }, deps.tools));
    return found;
  });
  if (member === undefined) return;
  // A fragment, not a query: browsers never send it to a server, so it stays out of access logs and Referer.
  const link = `${deps.settings.publicUrl}/reset-password#token=${token.token}`;
  await deps.mailer.send(
    passwordResetMail({
      to: member.email.value,
      name: member.name.value,
      link,
      token: token.token,
      minutes: PasswordReset.LIFETIME_SECONDS / 60,
    }),
  );
}
