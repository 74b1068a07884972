import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import {
  type AccessTokens,
  InvalidAccessTokenError,
  type Principal,
  type Role,
} from '../application/access-tokens.ts';
import type { Clock } from '../domain/clock.ts';
import { Id } from '../domain/id.ts';

export interface JwtOptions {
  readonly secret: string;
  readonly ttlSeconds: number;
  readonly issuer: string;
  readonly audience: string;
  readonly clock: Clock;
}

const ROLES: readonly Role[] = ['member', 'superuser'];

/**
 * HS256 JWTs through fast-jwt: signing and verifying are synchronous `node:crypto` HMACs that
 * take microseconds, so token checks never queue behind Argon2 on libuv's thread pool (see
 * STACK-NOTES). Only HS256 is accepted: `alg: none` and every other algorithm are refused.
 */
export class JwtAccessTokens implements AccessTokens {
  readonly #options: JwtOptions;
  readonly #sign: (payload: Record<string, unknown>) => string;
  readonly #verify: (token: string) => Record<string, unknown>;

  constructor(options: JwtOptions) {
    this.#options = options;
    this.#sign = createSigner({
      key: options.secret,
      algorithm: 'HS256',
      iss: options.issuer,
      aud: options.audience,
      // `iat` and `exp` come from our payload (our clock); `noTimestamp` would drop `iat`.
    });
    this.#verify = createVerifier({
      key: options.secret,
      algorithms: ['HS256'],
      allowedIss: options.issuer,
      allowedAud: options.audience,
      requiredClaims: ['sub', 'role', 'jti', 'iat', 'exp', 'iss', 'aud'],
      clockTimestamp: undefined,
      cache: 1000,
    }) as (token: string) => Record<string, unknown>;
  }

  issue(subject: { memberId: Id; role: Role }): { token: string; expiresIn: number } {
    const now = Math.floor(this.#options.clock.now().getTime() / 1000);
    const token = this.#sign({
      sub: subject.memberId.toString(),
      role: subject.role,
      jti: randomUUID(),
      iat: now,
      exp: now + this.#options.ttlSeconds,
    });
    return { token, expiresIn: this.#options.ttlSeconds };
  }

  verify(token: string): Principal {
    let claims: Record<string, unknown>;
    try {
      claims = this.#verify(token);
    } catch (error) {
      throw new InvalidAccessTokenError((error as Error).message);
    }
    // fast-jwt checks exp against the system clock; check it against ours too (tests move time).
    const now = this.#options.clock.now().getTime() / 1000;
    const memberId = typeof claims.sub === 'string' ? Id.tryParse(claims.sub) : undefined;
    const role = ROLES.find((r) => r === claims.role);
    if (typeof claims.exp !== 'number' || claims.exp <= now)
      throw new InvalidAccessTokenError('The token has expired');
    if (memberId === undefined || role === undefined || typeof claims.jti !== 'string') {
      throw new InvalidAccessTokenError('The token has unexpected claims');
    }
    return { memberId, role, tokenId: claims.jti };
  }
}
