import type { Role } from '../../../shared/application/access-tokens.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { MemberAccessDeniedError } from '../domain/errors.ts';

/**
 * Who asks for a change: a signed-in member with their role, or the system itself (the admin
 * CLI, the seed), which the HTTP API never acts as.
 */
export type Actor =
  | { readonly kind: 'member'; readonly memberId: Id; readonly role: Role }
  | { readonly kind: 'system' };

export const SYSTEM_ACTOR: Actor = { kind: 'system' };

export function isSelf(actor: Actor, memberId: Id): boolean {
  return actor.kind === 'member' && actor.memberId === memberId;
}

/**
 * A member manages their own account; a superuser (and the system) manages anyone's. Checked
 * before the member is loaded, so a member probing other ids learns nothing from 403 vs 404.
 */
export function ensureMayManage(actor: Actor, memberId: Id): void {
  if (actor.kind === 'system' || actor.role === 'superuser' || actor.memberId === memberId) return;
  throw new MemberAccessDeniedError();
}
