import type { Member } from '../domain/member.ts';

/** A member as the API shows it: never the password hash. */
export interface MemberView {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly is_superuser: boolean;
  readonly created_at: string;
  readonly updated_at: string;
}

export function toMemberView(member: Member): MemberView {
  return {
    id: member.id.toString(),
    email: member.email.value,
    name: member.name.value,
    is_superuser: member.isSuperuser,
    created_at: member.createdAt.toISOString(),
    updated_at: member.updatedAt.toISOString(),
  };
}
