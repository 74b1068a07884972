import type { Id } from '../../../shared/domain/id.ts';
import type { PasswordHash } from './password.ts';
import type { Session, SessionRevocationReason } from './session.ts';
import type { TokenHash } from './token-hash.ts';

/**
 * Stores sessions, and remembers every refresh token hash a session was ever given, so that a
 * spent token still leads to its session (reuse detection). `save` refuses a stale session
 * (`ConcurrencyError`).
 */
export interface SessionRepository {
  add(session: Session): Promise<void>;
  /**
   * Adds the session a sign-in starts, on a condition checked as it is stored: its member still
   * exists and still has the password hash the sign-in verified. A password change or a deletion
   * revokes the member's sessions in its own transaction; checked under a share lock on the member
   * row, the condition leaves no moment in which a session made with the old password could be
   * stored after that revocation. Otherwise the unit of work fails with `InvalidGrantError`.
   */
  addSignedInWith(session: Session, passwordHash: PasswordHash): Promise<void>;
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
