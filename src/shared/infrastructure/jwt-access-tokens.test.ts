import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidAccessTokenError } from '../application/access-tokens.ts';
import { FixedClock } from '../domain/clock.ts';
import { Id } from '../domain/id.ts';
import { JwtAccessTokens } from './jwt-access-tokens.ts';

const SECRET = 'an-honest-test-secret-of-more-than-32-bytes';
const memberId = Id.of('7265011392712704001');

function tokens(clock = new FixedClock('2026-06-01T10:00:00.000Z'), secret = SECRET) {
  return new JwtAccessTokens({ secret, ttlSeconds: 900, issuer: 'bounded', audience: 'bounded-api', clock });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so a test can make any header, claims and signature it likes. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, secret = SECRET): string {
  const body = `${b64(header)}.${b64(claims)}`;
  const algorithm = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[String(header.alg)] ?? 'sha256';
  return `${body}.${createHmac(algorithm, secret).update(body).digest('base64url')}`;
}

const now = Math.floor(Date.parse('2026-06-01T10:00:00.000Z') / 1000);
const validClaims = {
  sub: memberId.toString(),
  role: 'member',
  jti: 'b1c2',
  iat: now,
  exp: now + 900,
  iss: 'bounded',
  aud: 'bounded-api',
};

function parts(token: string) {
  const [header, claims, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>,
    signature: signature!,
  };
}

describe('JWT access tokens', () => {
  it('issue HS256 tokens with sub, role, jti, iat, exp, iss and aud, which verify to their principal', () => {
    const subject = tokens();
    const { token, expiresIn } = subject.issue({ memberId, role: 'superuser' });
    expect(expiresIn).toBe(900);
    const { header, claims } = parts(token);
    expect(header.alg).toBe('HS256');
    expect(claims).toEqual({
      ...validClaims,
      role: 'superuser',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(subject.verify(token)).toEqual({ memberId, role: 'superuser', tokenId: claims.jti });
  });

  it('give every token its own jti', () => {
    const subject = tokens();
    const a = parts(subject.issue({ memberId, role: 'member' }).token).claims.jti;
    const b = parts(subject.issue({ memberId, role: 'member' }).token).claims.jti;
    expect(a).not.toBe(b);
  });

  it('accept a hand-made token with the right key and claims (the forging helper is sound)', () => {
    expect(tokens().verify(forge({ alg: 'HS256', typ: 'JWT' }, validClaims)).memberId).toBe(memberId);
  });

  it('refuse a token whose payload was changed after signing', () => {
    const { token } = tokens().issue({ memberId, role: 'member' });
    const { signature } = parts(token);
    const header = token.split('.')[0];
    const promoted = `${header}.${b64({ ...parts(token).claims, role: 'superuser' })}.${signature}`;
    expect(() => tokens().verify(promoted)).toThrow(InvalidAccessTokenError);
  });

  it('refuse a token signed with another key', () => {
    const foreign = tokens(undefined, 'another-secret-that-is-32-bytes-long!').issue({
      memberId,
      role: 'member',
    });
    expect(() => tokens().verify(foreign.token)).toThrow(InvalidAccessTokenError);
    expect(() => tokens().verify(forge({ alg: 'HS256' }, validClaims, 'wrong'))).toThrow(
      InvalidAccessTokenError,
    );
  });

  it.each([
    ['alg none without a signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims)}.`],
    ['alg none with a signature', `${b64({ alg: 'none' })}.${b64(validClaims)}.c2ln`],
    ['alg NONE', `${b64({ alg: 'NONE' })}.${b64(validClaims)}.`],
    ['HS512 with the right key', forge({ alg: 'HS512' }, validClaims)],
    ['HS384 with the right key', forge({ alg: 'HS384' }, validClaims)],
    ['RS256 in the header over an HMAC signature', forge({ alg: 'RS256' }, validClaims)],
    ['no alg at all', forge({ typ: 'JWT' }, validClaims)],
  ])('refuse %s', (_label, token) => {
    expect(() => tokens().verify(token)).toThrow(InvalidAccessTokenError);
  });

  it('refuse a token once it has expired, by the injected clock', () => {
    const clock = new FixedClock('2026-06-01T10:00:00.000Z');
    const subject = tokens(clock);
    const { token } = subject.issue({ memberId, role: 'member' });
    clock.advance(899_000);
    expect(subject.verify(token).memberId).toBe(memberId);
    clock.advance(1_000);
    expect(() => subject.verify(token)).toThrow(/expired/);
  });

  it.each([
    ['another audience', { aud: 'some-other-api' }],
    ['an audience list without ours', { aud: ['x', 'y'] }],
    ['another issuer', { iss: 'evil' }],
    ['a subject that is not an id', { sub: 'admin' }],
    ['a numeric subject', { sub: 7265011 }],
    ['an unknown role', { role: 'root' }],
    ['an iat in the future', { iat: now + 3600, exp: now + 4500 }],
    ['a string exp', { exp: String(now + 900) }],
  ])('refuse a validly signed token with %s', (_label, change) => {
    expect(() => tokens().verify(forge({ alg: 'HS256' }, { ...validClaims, ...change }))).toThrow(
      InvalidAccessTokenError,
    );
  });

  it.each(['sub', 'role', 'jti', 'iat', 'exp', 'iss', 'aud'])('refuse a token without %s', (claim) => {
    const { [claim as keyof typeof validClaims]: _, ...rest } = validClaims;
    expect(() => tokens().verify(forge({ alg: 'HS256' }, rest))).toThrow(InvalidAccessTokenError);
  });

  it.each(['', 'abc', 'a.b', 'a.b.c', '...', `${b64({ alg: 'HS256' })}.not-json.x`])(
    'refuse the garbage %j',
    (token) => {
      expect(() => tokens().verify(token)).toThrow(InvalidAccessTokenError);
    },
  );
});
