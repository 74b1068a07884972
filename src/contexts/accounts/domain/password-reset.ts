import { AggregateRoot } from '../../../shared/domain/aggregate-root.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { InvalidResetTokenError } from './errors.ts';
import type { TokenHash } from './token-hash.ts';

export interface PasswordResetPrimitives {
  readonly id: Id;
  readonly member_id: Id;
  readonly token_hash: string;
  readonly created_at: Date;
  readonly expires_at: Date;
  readonly used_at: Date | null;
  readonly version: number;
}

/**
 * A mailed permission to set a member's password without knowing it: single use, and only for
 * `LIFETIME_SECONDS` after it was made. Only the hash of its token is kept.
 */
export class PasswordReset extends AggregateRoot {
  static readonly LIFETIME_SECONDS = 30 * 60;
  protected readonly aggregateType = 'password_reset';
  readonly id: Id;
  readonly memberId: Id;
  readonly tokenHash: TokenHash;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  #usedAt: Date | null;

  private constructor(state: PasswordResetPrimitives) {
    super(state.version);
    this.id = state.id;
    this.memberId = state.member_id;
    this.tokenHash = state.token_hash as TokenHash;
    this.createdAt = state.created_at;
    this.expiresAt = state.expires_at;
    this.#usedAt = state.used_at;
  }

  static issue(input: { memberId: Id; tokenHash: TokenHash }, tools: DomainTools): PasswordReset {
    const now = tools.clock.now();
    return new PasswordReset({
      id: tools.ids.next(),
      member_id: input.memberId,
      token_hash: input.tokenHash,
      created_at: now,
      expires_at: new Date(now.getTime() + PasswordReset.LIFETIME_SECONDS * 1000),
      used_at: null,
      version: 0,
    });
  }

  static fromPrimitives(state: PasswordResetPrimitives): PasswordReset {
    return new PasswordReset(state);
  }

  /** Neither used nor expired. */
  isUsable(tools: DomainTools): boolean {
    return this.#usedAt === null && tools.clock.now().getTime() < this.expiresAt.getTime();
  }

  /** Spends the reset; a used or expired one is refused. */
  redeem(tools: DomainTools): void {
    if (!this.isUsable(tools)) throw new InvalidResetTokenError();
    this.#usedAt = tools.clock.now();
  }

  toPrimitives(): PasswordResetPrimitives {
    return {
      id: this.id,
      member_id: this.memberId,
      token_hash: this.tokenHash,
      created_at: this.createdAt,
      expires_at: this.expiresAt,
      used_at: this.#usedAt,
      version: this.version,
    };
  }
}
