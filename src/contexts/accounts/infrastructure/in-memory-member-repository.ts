import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import type { Email } from '../domain/email.ts';
import { EmailTakenError } from '../domain/errors.ts';
import { Member, type MemberPrimitives } from '../domain/member.ts';
import type { MemberRepository } from '../domain/member-repository.ts';

/** The member repository kept in memory: a fake for use-case tests, held to the same contract tests. */
export class InMemoryMemberRepository implements MemberRepository {
  readonly #table: InMemoryTable<MemberPrimitives>;
  readonly #tracker: AggregateTracker;

  constructor(table: InMemoryTable<MemberPrimitives>, tracker: AggregateTracker) {
    this.#table = table;
    this.#tracker = tracker;
  }

  async add(member: Member): Promise<void> {
    if (this.#activeWithEmail(member.email.value) !== undefined)
      throw new EmailTakenError(member.email.value);
    this.#table.set(member.id.toString(), { ...member.toPrimitives(), version: 1 });
    member.markSaved(1);
    this.#tracker.track(member);
  }

  async save(member: Member): Promise<void> {
    const stored = this.#table.rows.get(member.id.toString());
    if (stored === undefined || stored.version !== member.version)
      throw new ConcurrencyError('member', member.id.toString());
    const state = member.toPrimitives();
    const holder = this.#activeWithEmail(state.email);
    if (state.deleted_at === null && holder !== undefined && holder.id !== member.id) {
      throw new EmailTakenError(state.email);
    }
    this.#table.set(member.id.toString(), { ...state, version: member.version + 1 });
    member.markSaved(member.version + 1);
    this.#tracker.track(member);
  }

  async byId(id: Id): Promise<Member | undefined> {
    const row = this.#table.rows.get(id.toString());
    return row && row.deleted_at === null ? this.#tracker.track(Member.fromPrimitives(row)) : undefined;
  }

  /** The fake takes no locks: races are tested against PostgreSQL. */
  async byIdLocked(id: Id): Promise<Member | undefined> {
    return this.byId(id);
  }

  async byEmail(email: Email): Promise<Member | undefined> {
    const row = this.#activeWithEmail(email.value);
    return row && this.#tracker.track(Member.fromPrimitives(row));
  }

  #activeWithEmail(email: string): MemberPrimitives | undefined {
    for (const row of this.#table.rows.values())
      if (row.deleted_at === null && row.email === email) return row;
    return undefined;
  }
}
