import type { CommandHandlers } from '../../../shared/application/message-bus.ts';
import { type ChangeMemberEmail, changeMemberEmail } from './change-member-email.ts';
import { type ChangeMemberPassword, changeMemberPassword } from './change-member-password.ts';
import { type DeleteMember, deleteMember } from './delete-member.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { type EnsureSuperuser, type EnsureSuperuserResult, ensureSuperuser } from './ensure-superuser.ts';
import type { MemberView } from './member-view.ts';
import { type RefreshSession, refreshSession } from './refresh-session.ts';
import { type RegisterMember, registerMember } from './register-member.ts';
import { type RequestPasswordRecovery, requestPasswordRecovery } from './request-password-recovery.ts';
import { type ResetPassword, resetPassword } from './reset-password.ts';
import { type RevokeRefreshToken, revokeRefreshToken } from './revoke-refresh-token.ts';
import { type SignIn, signIn } from './sign-in.ts';
import type { TokenGrant } from './token-grant.ts';
import { type UpdateMemberProfile, updateMemberProfile } from './update-member-profile.ts';

declare module '../../../shared/application/message-bus.ts' {
  interface CommandRegistry {
    'accounts.register_member': { command: RegisterMember; result: MemberView };
    'accounts.update_member_profile': { command: UpdateMemberProfile; result: MemberView };
    'accounts.change_member_email': { command: ChangeMemberEmail; result: MemberView };
    'accounts.change_member_password': { command: ChangeMemberPassword; result: MemberView };
    'accounts.delete_member': { command: DeleteMember; result: undefined };
    'accounts.sign_in': { command: SignIn; result: TokenGrant };
    'accounts.refresh_session': { command: RefreshSession; result: TokenGrant };
    'accounts.revoke_refresh_token': { command: RevokeRefreshToken; result: undefined };
    'accounts.request_password_recovery': { command: RequestPasswordRecovery; result: undefined };
    'accounts.reset_password': { command: ResetPassword; result: undefined };
    'accounts.ensure_superuser': { command: EnsureSuperuser; result: EnsureSuperuserResult };
  }
}

export const accountsCommandTypes = [
  'accounts.register_member',
  'accounts.update_member_profile',
  'accounts.change_member_email',
  'accounts.change_member_password',
  'accounts.delete_member',
  'accounts.sign_in',
  'accounts.refresh_session',
  'accounts.revoke_refresh_token',
  'accounts.request_password_recovery',
  'accounts.reset_password',
  'accounts.ensure_superuser',
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
    'accounts.sign_in': (command) => signIn(command, deps),
    'accounts.refresh_session': (command) => refreshSession(command, deps),
    'accounts.revoke_refresh_token': (command) => revokeRefreshToken(command, deps),
    'accounts.request_password_recovery': (command) => requestPasswordRecovery(command, deps),
    'accounts.reset_password': (command) => resetPassword(command, deps),
    'accounts.ensure_superuser': (command) => ensureSuperuser(command, deps),
  };
}
