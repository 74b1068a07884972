import type { CommandHandlers } from '../../../shared/application/message-bus.ts';
import { type ChangeMemberEmail, changeMemberEmail } from './change-member-email.ts';
import { type ChangeMemberPassword, changeMemberPassword } from './change-member-password.ts';
import { type DeleteMember, deleteMember } from './delete-member.ts';
import type { AccountsDependencies } from './dependencies.ts';
import type { MemberView } from './member-view.ts';
import { type RegisterMember, registerMember } from './register-member.ts';
import { type UpdateMemberProfile, updateMemberProfile } from './update-member-profile.ts';

declare module '../../../shared/application/message-bus.ts' {
  interface CommandRegistry {
    'accounts.register_member': { command: RegisterMember; result: MemberView };
    'accounts.update_member_profile': { command: UpdateMemberProfile; result: MemberView };
    'accounts.change_member_email': { command: ChangeMemberEmail; result: MemberView };
    'accounts.change_member_password': { command: ChangeMemberPassword; result: MemberView };
    'accounts.delete_member': { command: DeleteMember; result: undefined };
  }
}

export const accountsCommandTypes = [
  'accounts.register_member',
  'accounts.update_member_profile',
  'accounts.change_member_email',
  'accounts.change_member_password',
  'accounts.delete_member',
] as const;

export type AccountsCommandType = (typeof accountsCommandTypes)[number];

/** The accounts context's command handlers, one per command type (the compiler checks none is missing). */
export function accountsCommandHandlers(deps: AccountsDependencies): CommandHandlers<AccountsCommandType> {
  return {
    'accounts.register_member': (command) => registerMember(command, deps),
    'accounts.update_member_profile': (command) => updateMemberProfile(command, deps),
    'accounts.change_member_email': (command) => changeMemberEmail(command, deps),
    'accounts.change_member_password': (command) => changeMemberPassword(command, deps),
    'accounts.delete_member': (command) => deleteMember(command, deps),
  };
}
