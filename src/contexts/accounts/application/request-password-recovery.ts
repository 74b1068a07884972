import { Email } from '../domain/email.ts';
import type { AccountsDependencies } from './dependencies.ts';

export interface RequestPasswordRecovery {
  readonly type: 'accounts.request_password_recovery';
  readonly email: string;
}

/**
 * Records `accounts.password_recovery_requested` when the email is a member's, and does nothing
 * otherwise; the caller answers the same either way. The reset link is made and mailed by the
 * event's subscriber after commit, so the token never sits in the outbox and a slow mail server
 * never slows this request.
 */
export async function requestPasswordRecovery(
  command: RequestPasswordRecovery,
  deps: AccountsDependencies,
): Promise<undefined> {
  const email = Email.parse(command.email);
  await deps.uow().run(async ({ members }) => {
    // The member is only read: the unit of work still takes the event it records to the outbox.
    const member = await members.byEmail(email);
    member?.requestPasswordRecovery(deps.tools);
  });
  return undefined;
}
