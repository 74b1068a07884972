import type { Id } from '../../../shared/domain/id.ts';
import type { Session, SessionRevocationReason } from './session.ts';
import type { TokenHash } from './token-hash.ts';

/**
 * Stores sessions, and remembers every refresh token hash a session was ever given, so that a
 * spent token still leads to its session (reuse detection). `save` refuses a stale session
 * (`ConcurrencyError`).
 */
export interface SessionRepository {
  add(session: Session): Promise<void>;
  save(session: Session): Promise<void>;
  /**
   * The session a refresh token, current or spent, was issued to; held until the transaction
   * ends, so two exchanges of one session happen one after the other and the second sees the
   * first's rotation.
   */
  byTokenHash(hash: TokenHash): Promise<Session | undefined>;
  /**
   * Revokes every open session of a member in one statement (a password change or a deletion
   * must end all of them in its own transaction, however many there are). Answers how many.
   */
  revokeAllOf(memberId: Id, reason: SessionRevocationReason, at: Date): Promise<number>;
}
