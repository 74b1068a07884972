import type { Id } from '../../../shared/domain/id.ts';
import { MemberNotFoundError } from '../domain/errors.ts';
import type { Member } from '../domain/member.ts';
import type { MemberRepository } from '../domain/member-repository.ts';

/** Loads an active member or fails with `member.not_found`. */
export async function loadMember(members: MemberRepository, id: Id): Promise<Member> {
  const member = await members.byId(id);
  if (member === undefined) throw new MemberNotFoundError(id.toString());
  return member;
}
