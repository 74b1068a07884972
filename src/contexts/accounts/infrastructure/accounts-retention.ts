import type { Kysely } from 'kysely';
import type { Clock } from '../../../shared/domain/clock.ts';
import type { HousekeepingTask } from '../../../shared/infrastructure/housekeeping.ts';
import type { AccountsTables } from './tables.ts';

const DAY_MS = 86_400_000;

/**
 * Deletes what can no longer be used, once it has been over for `keepDays` (30 by default, long
 * enough to answer "was I signed in last week?"):
 * - sessions that were revoked or whose refresh token expired, with every refresh token they
 *   were given (a replayed old token then finds nothing, and gets the same 400 as any unknown one);
 * - password resets past their expiry, used or not.
 * Open sessions keep all their spent refresh tokens: reuse detection needs them.
 */
export class AccountsRetention implements HousekeepingTask {
  readonly name = 'accounts';
  readonly #clock: Clock;
  readonly #keepMs: number;

  constructor(clock: Clock, options: { readonly keepDays?: number } = {}) {
    this.#clock = clock;
    this.#keepMs = (options.keepDays ?? 30) * DAY_MS;
  }

  async run(db: Kysely<unknown>): Promise<{ readonly sessions: number; readonly passwordResets: number }> {
    const accounts = db as Kysely<AccountsTables>;
    const before = new Date(this.#clock.now().getTime() - this.#keepMs);
    // Refresh tokens go with their session (on delete cascade).
    const sessions = await accounts
      .deleteFrom('accounts.sessions')
      .where((eb) => eb.or([eb('revoked_at', '<', before), eb('token_expires_at', '<', before)]))
      .executeTakeFirst();
    const resets = await accounts
      .deleteFrom('accounts.password_resets')
      .where('expires_at', '<', before)
      .executeTakeFirst();
    return { sessions: Number(sessions.numDeletedRows), passwordResets: Number(resets.numDeletedRows) };
  }
}
