import type { Id } from '../../../shared/domain/id.ts';
import { WrongPasswordError } from '../domain/errors.ts';
import { Password } from '../domain/password.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { loadMember } from './load-member.ts';
import { type MemberView, toMemberView } from './member-view.ts';

export interface ChangeMemberPassword {
  readonly type: 'accounts.change_member_password';
  readonly memberId: Id;
  readonly password: string;
  /** When given, it must match the stored password. */
  readonly currentPassword?: string;
}

export async function changeMemberPassword(
  command: ChangeMemberPassword,
  deps: AccountsDependencies,
): Promise<MemberView> {
  const password = Password.create(command.password);
  return deps.uow().run(async ({ members }) => {
    const member = await loadMember(members, command.memberId);
    if (
      command.currentPassword !== undefined &&
      !(await deps.hasher.verify(command.currentPassword, member.passwordHash))
    ) {
      throw new WrongPasswordError();
    }
    member.changePassword(await deps.hasher.hash(password), deps.tools);
    await members.save(member);
    return toMemberView(member);
  });
}
