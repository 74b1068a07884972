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
/** Seconds a token's `iat` may lie ahead of our clock (another instance's clock may run a little fast). */
const IAT_LEEWAY_SECONDS = 60;

/**
 * HS256 JWTs through fast-jwt: signing and verifying are synchronous `node:crypto` HMACs that
 * take microseconds, so token checks never queue behind Argon2 (on the hashing threads; see
 * STACK-NOTES). Only HS256 is accepted: `alg: none` and every other algorithm are refused, and
 * so is a token from another issuer or for another audience.
 *
 * Time comes from the injected Clock alone: fast-jwt's own `exp`/`nbf` checks read the system
 * clock, so they are switched off and `exp`/`iat` are checked here (tests move the clock).
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
      ignoreExpiration: true,
      ignoreNotBefore: true,
      // Verified signatures are remembered, so a client's repeated calls cost one HMAC; the
      // claims are still checked against the clock below on every call.
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
    const now = this.#options.clock.now().getTime() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= now)
      throw new InvalidAccessTokenError('The token has expired');
    if (typeof claims.iat !== 'number' || claims.iat > now + IAT_LEEWAY_SECONDS)
      throw new InvalidAccessTokenError('The token was issued in the future');
    const memberId = typeof claims.sub === 'string' ? Id.tryParse(claims.sub) : undefined;
    const role = ROLES.find((r) => r === claims.role);
    if (memberId === undefined || role === undefined || typeof claims.jti !== 'string') {
      throw new InvalidAccessTokenError('The token has unexpected claims');
    }
    return { memberId, role, tokenId: claims.jti };
  }
}
