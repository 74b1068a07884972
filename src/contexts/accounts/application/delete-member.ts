import type { Id } from '../../../shared/domain/id.ts';
import { SuperuserSelfDeletionError } from '../domain/errors.ts';
import { type Actor, ensureMayManage, isSelf } from './actor.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { loadMember } from './load-member.ts';

export interface DeleteMember {
  readonly type: 'accounts.delete_member';
  readonly actor: Actor;
  readonly memberId: Id;
}

/**
 * Soft-deletes the member and revokes all their sessions in the same transaction. Their access
 * tokens live on until they expire (they are checked without the database), but every route
 * that loads the member answers 404 from now on.
 */
export async function deleteMember(command: DeleteMember, deps: AccountsDependencies): Promise<undefined> {
  ensureMayManage(command.actor, command.memberId);
  await deps.uow().run(async ({ members, sessions }) => {
    const member = await loadMember(members, command.memberId);
    if (member.isSuperuser && isSelf(command.actor, member.id)) throw new SuperuserSelfDeletionError();
    member.delete(deps.tools);
    await members.save(member);
    await sessions.revokeAllOf(member.id, 'member_deleted', deps.tools.clock.now());
  });
  return undefined;
}
