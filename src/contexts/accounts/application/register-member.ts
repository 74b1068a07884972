import { Email } from '../domain/email.ts';
import { EmailUniqueness } from '../domain/email-uniqueness.ts';
import { Member } from '../domain/member.ts';
import { MemberName } from '../domain/member-name.ts';
import { Password } from '../domain/password.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { type MemberView, toMemberView } from './member-view.ts';

export interface RegisterMember {
  readonly type: 'accounts.register_member';
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly isSuperuser?: boolean;
}

export async function registerMember(
  command: RegisterMember,
  deps: AccountsDependencies,
): Promise<MemberView> {
  const email = Email.parse(command.email);
  const name = MemberName.parse(command.name);
  // Validate everything before the expensive hash, and hash before the transaction opens,
  // so no connection is held while Argon2 works.
  const passwordHash = await deps.hasher.hash(Password.create(command.password));
  return deps.uow().run(async ({ members }) => {
    await new EmailUniqueness(members).ensureAvailable(email);
    const member = Member.register(
      { email, name, passwordHash, isSuperuser: command.isSuperuser ?? false },
      deps.tools,
    );
    await members.add(member);
    return toMemberView(member);
  });
}
