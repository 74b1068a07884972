import { createHash, randomBytes } from 'node:crypto';
import type { OpaqueTokens } from '../application/opaque-tokens.ts';
import type { TokenHash } from '../domain/token-hash.ts';

/** 32 random bytes in base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Tokens of 256 bits from the operating system's CSPRNG, stored as their SHA-256. With that much
 * entropy nobody can guess a token or find one from its hash, so a fast hash is the right one.
 */
export class CryptoOpaqueTokens implements OpaqueTokens {
  mint(): { token: string; hash: TokenHash } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashOf(token) };
  }

  hashOf(token: string): TokenHash | undefined {
    return TOKEN.test(token) ? hashOf(token) : undefined;
  }
}

function hashOf(token: string): TokenHash {
  return createHash('sha256').update(token).digest('base64url') as TokenHash;
}
