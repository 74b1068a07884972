import type {
  MemberDeleted,
  MemberEmailChanged,
  MemberPasswordChanged,
  MemberProfileUpdated,
  MemberRegistered,
  PasswordRecoveryRequested,
  RefreshTokenReuseDetected,
} from '../domain/events.ts';

/**
 * The accounts context's published language: every event it stores in the outbox, by name, so a
 * subscriber in any context gets the event's type from the name without importing this context.
 * Renaming an event or changing a payload field here breaks its subscribers at compile time.
 */
declare module '../../../shared/application/event-registry.ts' {
  interface EventRegistry {
    'accounts.member_registered': MemberRegistered;
    'accounts.member_email_changed': MemberEmailChanged;
    'accounts.member_profile_updated': MemberProfileUpdated;
    'accounts.member_password_changed': MemberPasswordChanged;
    'accounts.member_deleted': MemberDeleted;
    'accounts.password_recovery_requested': PasswordRecoveryRequested;
    'accounts.refresh_token_reuse_detected': RefreshTokenReuseDetected;
  }
}
