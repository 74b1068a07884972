/**
 * The hash of an opaque token (a refresh token, a password reset token). Only hashes are stored:
 * someone reading the database cannot use what they read. The tokens are 256 random bits, so a
 * fast hash is enough; a slow password hash would buy nothing.
 */
export type TokenHash = string & { readonly __brand: 'TokenHash' };
