import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import { PasswordReset, type PasswordResetPrimitives } from '../domain/password-reset.ts';
import type { PasswordResetRepository } from '../domain/password-reset-repository.ts';
import type { TokenHash } from '../domain/token-hash.ts';

/** Password resets kept in memory, for use-case tests. */
export class InMemoryPasswordResetRepository implements PasswordResetRepository {
  readonly #table: InMemoryTable<PasswordResetPrimitives>;
  readonly #tracker: AggregateTracker;

  constructor(table: InMemoryTable<PasswordResetPrimitives>, tracker: AggregateTracker) {
    this.#table = table;
    this.#tracker = tracker;
  }

  async add(reset: PasswordReset): Promise<void> {
    this.#table.set(reset.id.toString(), { ...reset.toPrimitives(), version: 1 });
    reset.markSaved(1);
    this.#tracker.track(reset);
  }

  async save(reset: PasswordReset): Promise<void> {
    const stored = this.#table.rows.get(reset.id.toString());
    if (stored === undefined || stored.version !== reset.version)
      throw new ConcurrencyError('password reset', reset.id.toString());
    this.#table.set(reset.id.toString(), { ...reset.toPrimitives(), version: reset.version + 1 });
    reset.markSaved(reset.version + 1);
    this.#tracker.track(reset);
  }

  async byTokenHash(hash: TokenHash): Promise<PasswordReset | undefined> {
    for (const row of this.#table.rows.values())
      if (row.token_hash === hash) return this.#tracker.track(PasswordReset.fromPrimitives(row));
    return undefined;
  }

  async discardUnusedOf(memberId: Id): Promise<void> {
    for (const [id, row] of this.#table.rows)
      if (row.member_id === memberId && row.used_at === null) this.#table.delete(id);
  }
}
