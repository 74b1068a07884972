import type { Id } from '../../../shared/domain/id.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { loadMember } from './load-member.ts';

export interface DeleteMember {
  readonly type: 'accounts.delete_member';
  readonly memberId: Id;
}

export async function deleteMember(command: DeleteMember, deps: AccountsDependencies): Promise<undefined> {
  await deps.uow().run(async ({ members }) => {
    const member = await loadMember(members, command.memberId);
    member.delete(deps.tools);
    await members.save(member);
  });
  return undefined;
}
