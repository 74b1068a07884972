import type { Id } from '../domain/id.ts';

export type Role = 'member' | 'superuser';

/** Who is calling, as a verified access token says. */
export interface Principal {
  readonly memberId: Id;
  readonly role: Role;
  /** The token's `jti`. */
  readonly tokenId: string;
}

/** Thrown by `AccessTokens.verify` for a missing, malformed, forged, expired or foreign token. */
export class InvalidAccessTokenError extends Error {}

/**
 * The port to access tokens: short-lived signed tokens checked without a database hit.
 * Implemented with fast-jwt (HS256) in shared/infrastructure.
 */
export interface AccessTokens {
  issue(subject: { memberId: Id; role: Role }): { token: string; expiresIn: number };
  verify(token: string): Principal;
}
