import type { Kysely, Selectable } from 'kysely';
import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import { Id } from '../../../shared/domain/id.ts';
import { PgErrorCode, sqlState } from '../../../shared/infrastructure/database.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import type { Email } from '../domain/email.ts';
import { EmailTakenError } from '../domain/errors.ts';
import { Member } from '../domain/member.ts';
import type { MemberRepository } from '../domain/member-repository.ts';
import type { AccountsTables, MembersTable } from './tables.ts';

export class KyselyMemberRepository implements MemberRepository {
  readonly #db: Kysely<AccountsTables>;
  readonly #tracker: AggregateTracker;

  constructor(db: Kysely<unknown>, tracker: AggregateTracker) {
    this.#db = db as Kysely<AccountsTables>;
    this.#tracker = tracker;
  }

  async add(member: Member): Promise<void> {
    const { version: _, ...row } = member.toPrimitives();
    try {
      await this.#db
        .insertInto('accounts.members')
        .values({ ...row, version: 1 })
        .execute();
    } catch (error) {
      // The partial unique index is the last word on "one active member per email".
      if (sqlState(error) === PgErrorCode.uniqueViolation) throw new EmailTakenError(member.email.value);
      throw error;
    }
    member.markSaved(1);
    this.#tracker.track(member);
  }

  async save(member: Member): Promise<void> {
    const { id, version, created_at: _, ...changes } = member.toPrimitives();
    let updated: bigint;
    try {
      const result = await this.#db
        .updateTable('accounts.members')
        .set({ ...changes, version: version + 1 })
        .where('id', '=', id.toString())
        .where('version', '=', version)
        .executeTakeFirst();
      updated = result.numUpdatedRows;
    } catch (error) {
      if (sqlState(error) === PgErrorCode.uniqueViolation) throw new EmailTakenError(member.email.value);
      throw error;
    }
    if (updated === 0n) throw new ConcurrencyError('member', id.toString());
    member.markSaved(version + 1);
    this.#tracker.track(member);
  }

  async byId(id: Id): Promise<Member | undefined> {
    const row = await this.#db
      .selectFrom('accounts.members')
      .selectAll()
      .where('id', '=', id.toString())
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && this.#track(row);
  }

  async byIdLocked(id: Id): Promise<Member | undefined> {
    // FOR NO KEY UPDATE: it waits for (and blocks) other writers of the row, but not the
    // key-share locks of inserts that reference the member (its sessions).
    const row = await this.#db
      .selectFrom('accounts.members')
      .selectAll()
      .where('id', '=', id.toString())
      .where('deleted_at', 'is', null)
      .forNoKeyUpdate()
      .executeTakeFirst();
    return row && this.#track(row);
  }

  async byEmail(email: Email): Promise<Member | undefined> {
    const row = await this.#db
      .selectFrom('accounts.members')
      .selectAll()
      .where('email', '=', email.value)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && this.#track(row);
  }

  #track(row: Selectable<MembersTable>): Member {
    return this.#tracker.track(Member.fromPrimitives({ ...row, id: Id.of(row.id) }));
  }
}
