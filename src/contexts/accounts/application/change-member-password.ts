import type { Id } from '../../../shared/domain/id.ts';
import { CurrentPasswordRequiredError, WrongPasswordError } from '../domain/errors.ts';
import { Password } from '../domain/password.ts';
import { type Actor, ensureMayManage, isSelf } from './actor.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { loadMember } from './load-member.ts';
import { type MemberView, toMemberView } from './member-view.ts';

export interface ChangeMemberPassword {
  readonly type: 'accounts.change_member_password';
  readonly actor: Actor;
  readonly memberId: Id;
  readonly password: string;
  /** Required when members change their own password; when given, it must match the stored one. */
  readonly currentPassword?: string;
}

/**
 * Sets a new password and revokes every session of the member in the same transaction, so no
 * refresh token issued before the change can be exchanged after it. A member changing their own
 * password proves it with the current one (a stolen access token alone cannot take the account
 * over); a superuser resetting someone else's does not know it and need not give it.
 */
export async function changeMemberPassword(
  command: ChangeMemberPassword,
  deps: AccountsDependencies,
): Promise<MemberView> {
  ensureMayManage(command.actor, command.memberId);
  if (isSelf(command.actor, command.memberId) && command.currentPassword === undefined) {
    throw new CurrentPasswordRequiredError();
  }
  const password = Password.create(command.password);
  // Hashed before the transaction opens, so no connection waits on Argon2.
  const passwordHash = await deps.hasher.hash(password);
  return deps.uow().run(async ({ members, sessions }) => {
    const member = await loadMember(members, command.memberId);
    if (
      command.currentPassword !== undefined &&
      !(await deps.hasher.verify(command.currentPassword, member.passwordHash))
    ) {
      throw new WrongPasswordError();
    }
    member.changePassword(passwordHash, deps.tools);
    await members.save(member);
    await sessions.revokeAllOf(member.id, 'password_changed', deps.tools.clock.now());
    return toMemberView(member);
  });
}
