import type { Id } from '../../../shared/domain/id.ts';
import type { Email } from './email.ts';
import type { Member } from './member.ts';

/**
 * Stores members. Reads see active (not deleted) members only. `add` refuses a second active
 * member with one email (`EmailTakenError`) even under a race, because the database enforces it;
 * `save` refuses a stale member (`ConcurrencyError`).
 */
export interface MemberRepository {
  add(member: Member): Promise<void>;
  save(member: Member): Promise<void>;
  byId(id: Id): Promise<Member | undefined>;
  /**
   * `byId`, holding the member until the transaction ends: a sign-in that checked the password
   * outside the transaction re-checks it here, and a concurrent password change or deletion
   * (which revokes the member's sessions) waits for it or is waited for, never interleaves.
   */
  byIdLocked(id: Id): Promise<Member | undefined>;
  byEmail(email: Email): Promise<Member | undefined>;
}
