import type { Id } from '../../../shared/domain/id.ts';
import type { Email } from './email.ts';
import { EmailTakenError } from './errors.ts';
import type { MemberRepository } from './member-repository.ts';

/**
 * The rule no single member can check: an email belongs to at most one active member.
 * (A deleted member's email is free again.) The database backs it with a partial unique index,
 * so a race between two sign-ups still ends in `EmailTakenError`, never in two members.
 */
export class EmailUniqueness {
  readonly #members: MemberRepository;

  constructor(members: MemberRepository) {
    this.#members = members;
  }

  async ensureAvailable(email: Email, forMember?: Id): Promise<void> {
    const holder = await this.#members.byEmail(email);
    if (holder !== undefined && holder.id !== forMember) throw new EmailTakenError(email.value);
  }
}
