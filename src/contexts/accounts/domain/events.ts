import type { DomainEvent } from '../../../shared/domain/domain-event.ts';

/**
 * The accounts context's events: stored in the outbox with the change that caused them and
 * delivered to subscribers in any context. Their names and payloads are a published contract.
 */
export type MemberRegistered = DomainEvent<
  'accounts.member_registered',
  { readonly email: string; readonly name: string; readonly is_superuser: boolean }
>;
export type MemberEmailChanged = DomainEvent<
  'accounts.member_email_changed',
  { readonly old_email: string; readonly new_email: string }
>;
export type MemberProfileUpdated = DomainEvent<'accounts.member_profile_updated', { readonly name: string }>;
export type MemberPasswordChanged = DomainEvent<'accounts.member_password_changed', Record<string, never>>;
export type MemberDeleted = DomainEvent<'accounts.member_deleted', { readonly email: string }>;

export type MemberEvent =
  | MemberRegistered
  | MemberEmailChanged
  | MemberProfileUpdated
  | MemberPasswordChanged
  | MemberDeleted;
