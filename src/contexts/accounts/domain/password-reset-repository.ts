import type { Id } from '../../../shared/domain/id.ts';
import type { PasswordReset } from './password-reset.ts';
import type { TokenHash } from './token-hash.ts';

export interface PasswordResetRepository {
  add(reset: PasswordReset): Promise<void>;
  save(reset: PasswordReset): Promise<void>;
  /** The reset with this token, held until the transaction ends (two redemptions cannot both win). */
  byTokenHash(hash: TokenHash): Promise<PasswordReset | undefined>;
  /** Forgets a member's resets that were never used: only the latest mailed link works. */
  discardUnusedOf(memberId: Id): Promise<void>;
}
