import { InvalidResetTokenError } from '../domain/errors.ts';
import { Password } from '../domain/password.ts';
import type { AccountsDependencies } from './dependencies.ts';

/** Sets a new password with a mailed reset token instead of the old password. */
export interface ResetPassword {
  readonly type: 'accounts.reset_password';
  readonly token: string;
  readonly password: string;
}

/**
 * Spends the reset token, sets the password (the policy applies) and revokes every session of
 * the member, in one transaction. The token is looked at once before the slow hash, so a
 * stream of made-up tokens costs a lookup each, not an Argon2 hash; the transaction checks it
 * again, locked, so one token cannot be redeemed twice.
 */
export async function resetPassword(command: ResetPassword, deps: AccountsDependencies): Promise<undefined> {
  const password = Password.create(command.password);
  const tokenHash = deps.tokens.hashOf(command.token);
  if (tokenHash === undefined) throw new InvalidResetTokenError();
  const usable = await deps.uow().run(async ({ passwordResets }) => {
    const reset = await passwordResets.byTokenHash(tokenHash);
    return reset?.isUsable(deps.tools) === true;
  });
  if (!usable) throw new InvalidResetTokenError();
  const passwordHash = await deps.hasher.hash(password);
  await deps.uow().run(async ({ passwordResets, members, sessions }) => {
    const reset = await passwordResets.byTokenHash(tokenHash);
    if (reset === undefined) throw new InvalidResetTokenError();
    reset.redeem(deps.tools);
    const member = await members.byIdLocked(reset.memberId);
    if (member === undefined) throw new InvalidResetTokenError();
    member.changePassword(passwordHash, deps.tools);
    await members.save(member);
    await passwordResets.save(reset);
    await sessions.revokeAllOf(member.id, 'password_changed', deps.tools.clock.now());
  });
  return undefined;
}
