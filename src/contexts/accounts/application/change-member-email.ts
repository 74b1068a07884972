import type { Id } from '../../../shared/domain/id.ts';
import { Email } from '../domain/email.ts';
import { EmailUniqueness } from '../domain/email-uniqueness.ts';
import { type Actor, ensureMayManage } from './actor.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { loadMember } from './load-member.ts';
import { type MemberView, toMemberView } from './member-view.ts';

export interface ChangeMemberEmail {
  readonly type: 'accounts.change_member_email';
  readonly actor: Actor;
  readonly memberId: Id;
  readonly email: string;
}

export async function changeMemberEmail(
  command: ChangeMemberEmail,
  deps: AccountsDependencies,
): Promise<MemberView> {
  ensureMayManage(command.actor, command.memberId);
  const email = Email.parse(command.email);
  return deps.uow().run(async ({ members }) => {
    const member = await loadMember(members, command.memberId);
    await new EmailUniqueness(members).ensureAvailable(email, member.id);
    member.changeEmail(email, deps.tools);
    await members.save(member);
    return toMemberView(member);
  });
}
