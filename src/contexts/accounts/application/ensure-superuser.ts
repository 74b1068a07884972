import { Email } from '../domain/email.ts';
import { EmailTakenError } from '../domain/errors.ts';
import { Password } from '../domain/password.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { type MemberView, toMemberView } from './member-view.ts';
import { registerMember } from './register-member.ts';

/** Makes sure a superuser with this email exists (FIRST_SUPERUSER_* at start-up, `cli create-superuser`). */
export interface EnsureSuperuser {
  readonly type: 'accounts.ensure_superuser';
  readonly email: string;
  readonly password: string;
  readonly name?: string;
}

export type EnsureSuperuserResult =
  | { readonly outcome: 'created' | 'already_superuser'; readonly member: MemberView }
  /** The email belongs to a member who is not a superuser: nothing was changed. */
  | { readonly outcome: 'taken_by_member'; readonly member: MemberView };

/**
 * Idempotent: an existing superuser is left as it is (its password is not reset to the
 * configured one, which may be stale), so every instance can run it at every start. Two
 * instances starting together both end with "the superuser exists".
 */
export async function ensureSuperuser(
  command: EnsureSuperuser,
  deps: AccountsDependencies,
): Promise<EnsureSuperuserResult> {
  const email = Email.parse(command.email);
  Password.create(command.password);
  const existing = async (): Promise<EnsureSuperuserResult | undefined> => {
    const member = await deps.uow().run(({ members }) => members.byEmail(email));
    if (member === undefined) return undefined;
    return {
      outcome: member.isSuperuser ? 'already_superuser' : 'taken_by_member',
      member: toMemberView(member),
    };
  };
  const found = await existing();
  if (found !== undefined) return found;
  try {
    const member = await registerMember(
      {
        type: 'accounts.register_member',
        email: email.value,
        password: command.password,
        name: command.name ?? 'Superuser',
        isSuperuser: true,
      },
      deps,
    );
    return { outcome: 'created', member };
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
    const raced = await existing();
    if (raced === undefined) throw error;
    return raced;
  }
}
