import type { TokenHash } from '../domain/token-hash.ts';

/**
 * The port to opaque tokens (refresh tokens, password reset tokens): random strings that mean
 * nothing by themselves and are looked up by their hash.
 */
export interface OpaqueTokens {
  /** A new token of 256 random bits, and the hash to store instead of it. */
  mint(): { readonly token: string; readonly hash: TokenHash };
  /** The hash of a presented token; undefined when the text cannot be a token we made. */
  hashOf(token: string): TokenHash | undefined;
}
