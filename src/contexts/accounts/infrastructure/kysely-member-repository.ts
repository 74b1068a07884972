import type { Selectable } from 'kysely';
import { Id } from '../../../shared/domain/id.ts';
import { PgErrorCode, sqlState, violatedConstraint } from '../../../shared/infrastructure/database.ts';
import { everyColumn, prepared } from '../../../shared/infrastructure/prepared-statements.ts';
import type { AggregateTracker, UnitOfWorkScope } from '../../../shared/infrastructure/unit-of-work.ts';
import type { Email } from '../domain/email.ts';
import { EmailTakenError } from '../domain/errors.ts';
import { Member } from '../domain/member.ts';
import type { MemberRepository } from '../domain/member-repository.ts';
import type { AccountsTables, MembersTable } from './tables.ts';

/** Every column of the row, named (ADR 0006: a prepared statement must not `SELECT *`). */
const MEMBER_COLUMNS = everyColumn<MembersTable>()(
  'id',
  'email',
  'name',
  'password_hash',
  'is_superuser',
  'created_at',
  'updated_at',
  'deleted_at',
  'version',
);

export class KyselyMemberRepository implements MemberRepository {
  readonly #scope: UnitOfWorkScope;
  readonly #tracker: AggregateTracker;

  constructor(scope: UnitOfWorkScope, tracker: AggregateTracker) {
    this.#scope = scope;
    this.#tracker = tracker;
  }

  async add(member: Member): Promise<void> {
    const { version: _, ...row } = member.toPrimitives();
    await this.#scope.insert<AccountsTables, 'accounts.members'>(
      'accounts.members',
      { ...row, version: 1 },
      { translateError: emailTaken(member) },
    );
    this.#scope.markSaved(member, 1);
    this.#tracker.track(member);
  }

  async save(member: Member): Promise<void> {
    const { id: _, version: __, created_at: _c, ...changes } = member.toPrimitives();
    await this.#scope.saveVersioned<AccountsTables, 'accounts.members'>(
      member,
      'member',
      'accounts.members',
      changes,
      { translateError: emailTaken(member) },
    );
    this.#tracker.track(member);
  }

  async byId(id: Id): Promise<Member | undefined> {
    const db = await this.#scope.reader<AccountsTables>();
    const row = await db
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
    const db = await this.#scope.transaction<AccountsTables>();
    const row = await db
      .selectFrom('accounts.members')
      .selectAll()
      .where('id', '=', id.toString())
      .where('deleted_at', 'is', null)
      .forNoKeyUpdate()
      .executeTakeFirst();
    return row && this.#track(row);
  }

  async byEmail(email: Email): Promise<Member | undefined> {
    const db = await this.#scope.reader<AccountsTables>();
    // Every sign-in and sign-up starts here: a prepared lookup by key with named columns (never
    // `SELECT *`, see ADR 0006), so outside a transaction it takes a pipelined lane (ADR 0007).
    const query = db
      .selectFrom('accounts.members')
      .select(MEMBER_COLUMNS)
      .where('email', '=', email.value)
      .where('deleted_at', 'is', null);
    const { rows } = await db.executeQuery(prepared(query.compile()));
    const row = rows[0];
    return row && this.#track(row);
  }

  #track(row: Selectable<MembersTable>): Member {
    return this.#tracker.track(Member.fromPrimitives({ ...row, id: Id.of(row.id) }));
  }
}

/** The partial unique index is the last word on "one active member per email", races included. */
function emailTaken(member: Member): (error: unknown) => Error | undefined {
  return (error) =>
    sqlState(error) === PgErrorCode.uniqueViolation &&
    violatedConstraint(error) === 'members_active_email_key'
      ? new EmailTakenError(member.email.value)
      : undefined;
}
