import type { DomainEvent } from '../../../shared/domain/domain-event.ts';

/**
 * The accounts context's events: stored in the outbox with the change that caused them and
 * delivered to subscribers in any context. Their names and payloads are a published contract.
 * No payload ever holds a password, a hash or a token: outbox rows are kept.
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
/**
 * Someone asked for a password reset link for this member's email. The link's token is made by
 * the subscriber that mails it, so the token never reaches the outbox.
 */
export type PasswordRecoveryRequested = DomainEvent<
  'accounts.password_recovery_requested',
  { readonly email: string }
>;

export type MemberEvent =
  | MemberRegistered
  | MemberEmailChanged
  | MemberProfileUpdated
  | MemberPasswordChanged
  | MemberDeleted
  | PasswordRecoveryRequested;

/**
 * A refresh token that had already been exchanged was presented again: one of its two holders
 * is not the member, so the whole session was revoked.
 */
export type RefreshTokenReuseDetected = DomainEvent<
  'accounts.refresh_token_reuse_detected',
  { readonly member_id: string }
>;

export type SessionEvent = RefreshTokenReuseDetected;
