import { type Selectable, sql } from 'kysely';
import { Id } from '../../../shared/domain/id.ts';
import { PgErrorCode, sqlState, violatedConstraint } from '../../../shared/infrastructure/database.ts';
import type { AggregateTracker, UnitOfWorkScope } from '../../../shared/infrastructure/unit-of-work.ts';
import { InvalidGrantError } from '../domain/errors.ts';
import type { PasswordHash } from '../domain/password.ts';
import { Session, type SessionRevocationReason } from '../domain/session.ts';
import type { SessionRepository } from '../domain/session-repository.ts';
import type { TokenHash } from '../domain/token-hash.ts';
import type { AccountsTables, SessionsTable } from './tables.ts';

export class KyselySessionRepository implements SessionRepository {
  readonly #scope: UnitOfWorkScope;
  readonly #tracker: AggregateTracker;

  constructor(scope: UnitOfWorkScope, tracker: AggregateTracker) {
    this.#scope = scope;
    this.#tracker = tracker;
  }

  async add(session: Session): Promise<void> {
    const { version: _, ...row } = session.toPrimitives();
    await this.#scope.insert<AccountsTables, 'accounts.sessions'>('accounts.sessions', {
      ...row,
      version: 1,
    });
    await this.#rememberToken(session, row.created_at);
    this.#scope.markSaved(session, 1);
    this.#tracker.track(session);
  }

  async addSignedInWith(session: Session, passwordHash: PasswordHash): Promise<void> {
    const row = session.toPrimitives();
    // INSERT … SELECT from the member row, locked FOR SHARE: a password change or deletion holding
    // the row makes this wait, and once it commits the row is checked again and no longer matches.
    // No session row then, so the token row below breaks its foreign key and the whole statement
    // fails: the refusal is as atomic as the sign-in, in one autocommitted statement (no BEGIN, no
    // separate locking read, no COMMIT).
    await this.#scope.write<AccountsTables>(
      (db) =>
        db
          .insertInto('accounts.sessions')
          .columns([
            'id',
            'member_id',
            'created_at',
            'token_hash',
            'token_expires_at',
            'refreshed_at',
            'revoked_at',
            'revoked_reason',
            'version',
          ])
          .expression(
            sql`select ${row.id.toString()}::bigint, m.id, ${row.created_at}::timestamptz,
                       ${row.token_hash}::text, ${row.token_expires_at}::timestamptz,
                       null::timestamptz, null::timestamptz, null::text, 1
                  from accounts.members m
                 where m.id = ${row.member_id.toString()}::bigint and m.deleted_at is null
                   and m.password_hash = ${passwordHash}::text
                   for share of m`,
          ),
      { translateError: refusedSignIn },
    );
    await this.#rememberToken(session, row.created_at, refusedSignIn);
    this.#scope.markSaved(session, 1);
    this.#tracker.track(session);
  }

  async save(session: Session): Promise<void> {
    const { id: _, version: __, created_at: _c, member_id: _m, ...changes } = session.toPrimitives();
    await this.#scope.saveVersioned<AccountsTables, 'accounts.sessions'>(
      session,
      'session',
      'accounts.sessions',
      changes,
    );
    await this.#rememberToken(session, changes.refreshed_at ?? session.createdAt);
    this.#tracker.track(session);
  }

  async byTokenHash(hash: TokenHash): Promise<Session | undefined> {
    const db = await this.#scope.transaction<AccountsTables>();
    const row = await db
      .selectFrom('accounts.refresh_tokens as t')
      .innerJoin('accounts.sessions as s', 's.id', 't.session_id')
      .selectAll('s')
      .where('t.token_hash', '=', hash)
      .forUpdate('s')
      .executeTakeFirst();
    return row && this.#track(row);
  }

  async revokeAllOf(memberId: Id, reason: SessionRevocationReason, at: Date): Promise<number> {
    // Sent at once: the caller learns how many sessions ended.
    const db = await this.#scope.transaction<AccountsTables>();
    const result = await db
      .updateTable('accounts.sessions')
      .set((eb) => ({ revoked_at: at, revoked_reason: reason, version: eb('version', '+', 1) }))
      .where('member_id', '=', memberId.toString())
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Keeps the hash of the session's current token, so that it still leads here once it is spent. */
  async #rememberToken(
    session: Session,
    issuedAt: Date,
    translateError?: (error: unknown) => Error | undefined,
  ): Promise<void> {
    await this.#scope.write<AccountsTables>(
      (db) =>
        db
          .insertInto('accounts.refresh_tokens')
          .values({ token_hash: session.currentTokenHash, session_id: session.id, issued_at: issuedAt })
          .onConflict((oc) => oc.column('token_hash').doNothing()),
      translateError === undefined ? {} : { translateError },
    );
  }

  #track(row: Selectable<SessionsTable>): Session {
    return this.#tracker.track(
      Session.fromPrimitives({ ...row, id: Id.of(row.id), member_id: Id.of(row.member_id) }),
    );
  }
}

/** A sign-in's session that was not stored because its member changed: the token's key finds no session. */
function refusedSignIn(error: unknown): Error | undefined {
  return sqlState(error) === PgErrorCode.foreignKeyViolation &&
    violatedConstraint(error) === 'refresh_tokens_session_id_fkey'
    ? InvalidGrantError.signIn()
    : undefined;
}
