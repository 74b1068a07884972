import { AggregateRoot } from '../../../shared/domain/aggregate-root.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { SessionEvent } from './events.ts';
import type { TokenHash } from './token-hash.ts';

/** Why a session ended before its refresh token expired. */
export type SessionRevocationReason = 'signed_out' | 'reuse_detected' | 'password_changed' | 'member_deleted';

export interface SessionPrimitives {
  readonly id: Id;
  readonly member_id: Id;
  readonly created_at: Date;
  /** The hash of the one refresh token that may be exchanged now. */
  readonly token_hash: string;
  readonly token_expires_at: Date;
  readonly refreshed_at: Date | null;
  readonly revoked_at: Date | null;
  readonly revoked_reason: SessionRevocationReason | null;
  readonly version: number;
}

/** What happened when a refresh token was presented. Only `rotated` hands out new tokens. */
export type RotationOutcome = 'rotated' | 'revoked' | 'expired' | 'reuse_detected';

/**
 * One sign-in and everything refreshed from it: the "token family" of the OAuth 2.0 Security
 * BCP. At any time exactly one refresh token of the session is current; exchanging it (rotation)
 * spends it and makes the next one current. Presenting a spent one means the token was copied,
 * and since we cannot tell the thief from the member, the whole session is revoked.
 */
export class Session extends AggregateRoot<SessionEvent> {
  protected readonly aggregateType = 'session';
  readonly id: Id;
  readonly memberId: Id;
  readonly createdAt: Date;
  #tokenHash: TokenHash;
  #tokenExpiresAt: Date;
  #refreshedAt: Date | null;
  #revokedAt: Date | null;
  #revokedReason: SessionRevocationReason | null;

  private constructor(state: SessionPrimitives) {
    super(state.version);
    this.id = state.id;
    this.memberId = state.member_id;
    this.createdAt = state.created_at;
    this.#tokenHash = state.token_hash as TokenHash;
    this.#tokenExpiresAt = state.token_expires_at;
    this.#refreshedAt = state.refreshed_at;
    this.#revokedAt = state.revoked_at;
    this.#revokedReason = state.revoked_reason;
  }

  /** A member signed in: the session starts with its first refresh token. */
  static start(
    input: { memberId: Id; tokenHash: TokenHash; tokenLifetimeSeconds: number },
    tools: DomainTools,
  ): Session {
    const now = tools.clock.now();
    return new Session({
      id: tools.ids.next(),
      member_id: input.memberId,
      created_at: now,
      token_hash: input.tokenHash,
      token_expires_at: new Date(now.getTime() + input.tokenLifetimeSeconds * 1000),
      refreshed_at: null,
      revoked_at: null,
      revoked_reason: null,
      version: 0,
    });
  }

  static fromPrimitives(state: SessionPrimitives): Session {
    return new Session(state);
  }

  get isRevoked(): boolean {
    return this.#revokedAt !== null;
  }

  get revokedReason(): SessionRevocationReason | null {
    return this.#revokedReason;
  }

  get currentTokenHash(): TokenHash {
    return this.#tokenHash;
  }

  /**
   * Exchanges `presented` (a token of this session) for `next`. A spent token revokes the
   * session, and the caller must store that before it answers the client with an error.
   */
  rotate(
    presented: TokenHash,
    next: { tokenHash: TokenHash; tokenLifetimeSeconds: number },
    tools: DomainTools,
  ): RotationOutcome {
    if (this.#revokedAt !== null) return 'revoked';
    if (presented !== this.#tokenHash) {
      this.revoke('reuse_detected', tools);
      this.record(tools, 'accounts.refresh_token_reuse_detected', { member_id: this.memberId.toString() });
      return 'reuse_detected';
    }
    const now = tools.clock.now();
    if (now.getTime() >= this.#tokenExpiresAt.getTime()) return 'expired';
    this.#tokenHash = next.tokenHash;
    this.#tokenExpiresAt = new Date(now.getTime() + next.tokenLifetimeSeconds * 1000);
    this.#refreshedAt = now;
    return 'rotated';
  }

  /** Ends the session: none of its refresh tokens can be exchanged any more. Revoking twice keeps the first reason. */
  revoke(reason: SessionRevocationReason, tools: DomainTools): void {
    if (this.#revokedAt !== null) return;
    this.#revokedAt = tools.clock.now();
    this.#revokedReason = reason;
  }

  toPrimitives(): SessionPrimitives {
    return {
      id: this.id,
      member_id: this.memberId,
      created_at: this.createdAt,
      token_hash: this.#tokenHash,
      token_expires_at: this.#tokenExpiresAt,
      refreshed_at: this.#refreshedAt,
      revoked_at: this.#revokedAt,
      revoked_reason: this.#revokedReason,
      version: this.version,
    };
  }
}
