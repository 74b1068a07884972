import type { Selectable } from 'kysely';
import { Id } from '../../../shared/domain/id.ts';
import type { AggregateTracker, UnitOfWorkScope } from '../../../shared/infrastructure/unit-of-work.ts';
import { PasswordReset } from '../domain/password-reset.ts';
import type { PasswordResetRepository } from '../domain/password-reset-repository.ts';
import type { TokenHash } from '../domain/token-hash.ts';
import type { AccountsTables, PasswordResetsTable } from './tables.ts';

export class KyselyPasswordResetRepository implements PasswordResetRepository {
  readonly #scope: UnitOfWorkScope;
  readonly #tracker: AggregateTracker;

  constructor(scope: UnitOfWorkScope, tracker: AggregateTracker) {
    this.#scope = scope;
    this.#tracker = tracker;
  }

  async add(reset: PasswordReset): Promise<void> {
    const { version: _, ...row } = reset.toPrimitives();
    await this.#scope.insert<AccountsTables, 'accounts.password_resets'>('accounts.password_resets', {
      ...row,
      version: 1,
    });
    this.#scope.markSaved(reset, 1);
    this.#tracker.track(reset);
  }

  async save(reset: PasswordReset): Promise<void> {
    const { used_at } = reset.toPrimitives();
    await this.#scope.saveVersioned<AccountsTables, 'accounts.password_resets'>(
      reset,
      'password reset',
      'accounts.password_resets',
      { used_at },
    );
    this.#tracker.track(reset);
  }

  async byTokenHash(hash: TokenHash): Promise<PasswordReset | undefined> {
    const db = await this.#scope.transaction<AccountsTables>();
    const row = await db
      .selectFrom('accounts.password_resets')
      .selectAll()
      .where('token_hash', '=', hash)
      .forUpdate()
      .executeTakeFirst();
    return row && this.#track(row);
  }

  async discardUnusedOf(memberId: Id): Promise<void> {
    await this.#scope.write<AccountsTables>((db) =>
      db
        .deleteFrom('accounts.password_resets')
        .where('member_id', '=', memberId.toString())
        .where('used_at', 'is', null),
    );
  }

  #track(row: Selectable<PasswordResetsTable>): PasswordReset {
    return this.#tracker.track(
      PasswordReset.fromPrimitives({ ...row, id: Id.of(row.id), member_id: Id.of(row.member_id) }),
    );
  }
}
