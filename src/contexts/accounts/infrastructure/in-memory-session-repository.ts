import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import { InvalidGrantError } from '../domain/errors.ts';
import type { MemberPrimitives } from '../domain/member.ts';
import type { PasswordHash } from '../domain/password.ts';
import { Session, type SessionPrimitives, type SessionRevocationReason } from '../domain/session.ts';
import type { SessionRepository } from '../domain/session-repository.ts';
import type { TokenHash } from '../domain/token-hash.ts';

/** Sessions kept in memory, for use-case tests; `tokens` maps every issued token hash to its session id. */
export class InMemorySessionRepository implements SessionRepository {
  readonly #sessions: InMemoryTable<SessionPrimitives>;
  readonly #tokens: InMemoryTable<string>;
  readonly #members: InMemoryTable<MemberPrimitives>;
  readonly #tracker: AggregateTracker;

  constructor(
    sessions: InMemoryTable<SessionPrimitives>,
    tokens: InMemoryTable<string>,
    members: InMemoryTable<MemberPrimitives>,
    tracker: AggregateTracker,
  ) {
    this.#sessions = sessions;
    this.#tokens = tokens;
    this.#members = members;
    this.#tracker = tracker;
  }

  async addSignedInWith(session: Session, passwordHash: PasswordHash): Promise<void> {
    const member = this.#members.rows.get(session.memberId.toString());
    if (member === undefined || member.deleted_at !== null || member.password_hash !== passwordHash)
      throw InvalidGrantError.signIn();
    await this.add(session);
  }

  async add(session: Session): Promise<void> {
    this.#sessions.set(session.id.toString(), { ...session.toPrimitives(), version: 1 });
    this.#tokens.set(session.currentTokenHash, session.id.toString());
    session.markSaved(1);
    this.#tracker.track(session);
  }

  async save(session: Session): Promise<void> {
    const stored = this.#sessions.rows.get(session.id.toString());
    if (stored === undefined || stored.version !== session.version)
      throw new ConcurrencyError('session', session.id.toString());
    this.#sessions.set(session.id.toString(), { ...session.toPrimitives(), version: session.version + 1 });
    if (!this.#tokens.rows.has(session.currentTokenHash))
      this.#tokens.set(session.currentTokenHash, session.id.toString());
    session.markSaved(session.version + 1);
    this.#tracker.track(session);
  }

  async byTokenHash(hash: TokenHash): Promise<Session | undefined> {
    const id = this.#tokens.rows.get(hash);
    const row = id === undefined ? undefined : this.#sessions.rows.get(id);
    return row && this.#tracker.track(Session.fromPrimitives(row));
  }

  async revokeAllOf(memberId: Id, reason: SessionRevocationReason, at: Date): Promise<number> {
    let revoked = 0;
    for (const [id, row] of this.#sessions.rows) {
      if (row.member_id !== memberId || row.revoked_at !== null) continue;
      this.#sessions.set(id, { ...row, revoked_at: at, revoked_reason: reason, version: row.version + 1 });
      revoked += 1;
    }
    return revoked;
  }
}
