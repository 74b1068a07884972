import type { Id } from '../../../shared/domain/id.ts';
import { MemberName } from '../domain/member-name.ts';
import { type Actor, ensureMayManage } from './actor.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { loadMember } from './load-member.ts';
import { type MemberView, toMemberView } from './member-view.ts';

export interface UpdateMemberProfile {
  readonly type: 'accounts.update_member_profile';
  readonly actor: Actor;
  readonly memberId: Id;
  readonly name: string;
}

export async function updateMemberProfile(
  command: UpdateMemberProfile,
  deps: AccountsDependencies,
): Promise<MemberView> {
  ensureMayManage(command.actor, command.memberId);
  const name = MemberName.parse(command.name);
  return deps.uow().run(async ({ members }) => {
    const member = await loadMember(members, command.memberId);
    member.updateProfile(name, deps.tools);
    await members.save(member);
    return toMemberView(member);
  });
}
