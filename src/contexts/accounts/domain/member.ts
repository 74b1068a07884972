import { AggregateRoot } from '../../../shared/domain/aggregate-root.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { Email } from './email.ts';
import type { MemberEvent } from './events.ts';
import { MemberName } from './member-name.ts';
import type { PasswordHash } from './password.ts';

/** What a member is made of, as storage keeps it. */
export interface MemberPrimitives {
  readonly id: Id;
  readonly email: string;
  readonly name: string;
  readonly password_hash: string;
  readonly is_superuser: boolean;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly deleted_at: Date | null;
  readonly version: number;
}

/**
 * A person with an account. The aggregate guards its email, name and password hash; whether an
 * email is free among all members is the `EmailUniqueness` domain service's question, since no
 * single member can answer it.
 */
export class Member extends AggregateRoot<MemberEvent> {
  protected readonly aggregateType = 'member';
  readonly id: Id;
  readonly isSuperuser: boolean;
  readonly createdAt: Date;
  #email: Email;
  #name: MemberName;
  #passwordHash: PasswordHash;
  #updatedAt: Date;
  #deletedAt: Date | null;

  private constructor(state: MemberPrimitives) {
    super(state.version);
    this.id = state.id;
    this.#email = Email.parse(state.email);
    this.#name = MemberName.parse(state.name);
    this.#passwordHash = state.password_hash as PasswordHash;
    this.isSuperuser = state.is_superuser;
    this.createdAt = state.created_at;
    this.#updatedAt = state.updated_at;
    this.#deletedAt = state.deleted_at;
  }

  static register(
    input: { email: Email; name: MemberName; passwordHash: PasswordHash; isSuperuser?: boolean },
    tools: DomainTools,
  ): Member {
    const now = tools.clock.now();
    const member = new Member({
      id: tools.ids.next(),
      email: input.email.value,
      name: input.name.value,
      password_hash: input.passwordHash,
      is_superuser: input.isSuperuser ?? false,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      version: 0,
    });
    member.record(tools, 'accounts.member_registered', {
      email: member.email.value,
      name: member.name.value,
      is_superuser: member.isSuperuser,
    });
    return member;
  }

  /** Rehydrates a stored member; records no event. */
  static fromPrimitives(state: MemberPrimitives): Member {
    return new Member(state);
  }

  get email(): Email {
    return this.#email;
  }

  get name(): MemberName {
    return this.#name;
  }

  get passwordHash(): PasswordHash {
    return this.#passwordHash;
  }

  get updatedAt(): Date {
    return this.#updatedAt;
  }

  get isDeleted(): boolean {
    return this.#deletedAt !== null;
  }

  /** Changing to the current email is a no-op: nothing happened, so nothing is recorded. */
  changeEmail(email: Email, tools: DomainTools): void {
    if (email.equals(this.#email)) return;
    const old = this.#email;
    this.#email = email;
    this.#touch(tools);
    this.record(tools, 'accounts.member_email_changed', { old_email: old.value, new_email: email.value });
  }

  updateProfile(name: MemberName, tools: DomainTools): void {
    if (name.equals(this.#name)) return;
    this.#name = name;
    this.#touch(tools);
    this.record(tools, 'accounts.member_profile_updated', { name: name.value });
  }

  /** The caller has checked the policy (a `Password`) and hashed it; the aggregate stores the hash. */
  changePassword(hash: PasswordHash, tools: DomainTools): void {
    this.#passwordHash = hash;
    this.#touch(tools);
    this.record(tools, 'accounts.member_password_changed', {});
  }

  /**
   * Replaces a hash made with an older algorithm or weaker parameters (a bcrypt hash imported from
   * the Python services) by one of the same password made today. The password did not change, so
   * nothing is recorded and sessions stay.
   */
  upgradePasswordHash(hash: PasswordHash): void {
    this.#passwordHash = hash;
  }

  /** Records that a reset link was asked for; the subscriber of the event makes and mails it. */
  requestPasswordRecovery(tools: DomainTools): void {
    if (this.#deletedAt !== null) return;
    this.record(tools, 'accounts.password_recovery_requested', { email: this.#email.value });
  }

  /** Soft delete: the row stays for audit, the email becomes free for a new registration. */
  delete(tools: DomainTools): void {
    if (this.#deletedAt !== null) return;
    this.#deletedAt = tools.clock.now();
    this.#updatedAt = this.#deletedAt;
    this.record(tools, 'accounts.member_deleted', { email: this.#email.value });
  }

  toPrimitives(): MemberPrimitives {
    return {
      id: this.id,
      email: this.#email.value,
      name: this.#name.value,
      password_hash: this.#passwordHash,
      is_superuser: this.isSuperuser,
      created_at: this.createdAt,
      updated_at: this.#updatedAt,
      deleted_at: this.#deletedAt,
      version: this.version,
    };
  }

  #touch(tools: DomainTools): void {
    this.#updatedAt = tools.clock.now();
  }
}
