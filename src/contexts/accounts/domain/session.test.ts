import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../shared/domain/clock.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import { Id, SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { Session } from './session.ts';
import type { TokenHash } from './token-hash.ts';

function tools(): DomainTools & { clock: FixedClock } {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  return { clock, ids: new SnowflakeIdGenerator(1, clock) };
}

const hash = (n: number) => `hash-${n}` as TokenHash;
const DAY = 86_400;
const member = Id.of('7265011392712704001');

function started(t = tools()) {
  return Session.start({ memberId: member, tokenHash: hash(1), tokenLifetimeSeconds: 30 * DAY }, t);
}

describe('Session (a refresh token family)', () => {
  it('starts open, with its first token current until the token lifetime ends', () => {
    const t = tools();
    const session = started(t);
    expect(session.toPrimitives()).toMatchObject({
      member_id: member,
      token_hash: 'hash-1',
      token_expires_at: new Date('2026-07-01T10:00:00.000Z'),
      revoked_at: null,
      version: 0,
    });
    expect(session.recordedEvents).toEqual([]);
  });

  it('rotates: the presented token is spent, the next one is current with a fresh lifetime', () => {
    const t = tools();
    const session = started(t);
    t.clock.advance(10 * DAY * 1000);
    expect(session.rotate(hash(1), { tokenHash: hash(2), tokenLifetimeSeconds: 30 * DAY }, t)).toBe(
      'rotated',
    );
    expect(session.toPrimitives()).toMatchObject({
      token_hash: 'hash-2',
      token_expires_at: new Date('2026-07-11T10:00:00.000Z'),
      refreshed_at: new Date('2026-06-11T10:00:00.000Z'),
    });
  });

  it('revokes itself and records the reuse when a spent token is presented', () => {
    const t = tools();
    const session = started(t);
    session.rotate(hash(1), { tokenHash: hash(2), tokenLifetimeSeconds: DAY }, t);
    expect(session.rotate(hash(1), { tokenHash: hash(3), tokenLifetimeSeconds: DAY }, t)).toBe(
      'reuse_detected',
    );
    expect(session.isRevoked).toBe(true);
    expect(session.revokedReason).toBe('reuse_detected');
    expect(session.currentTokenHash).toBe('hash-2');
    expect(session.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['accounts.refresh_token_reuse_detected', { member_id: member.toString() }],
    ]);
    // The current token died with the family.
    expect(session.rotate(hash(2), { tokenHash: hash(4), tokenLifetimeSeconds: DAY }, t)).toBe('revoked');
  });

  it('refuses an expired token without revoking the session', () => {
    const t = tools();
    const session = started(t);
    t.clock.advance(30 * DAY * 1000);
    expect(session.rotate(hash(1), { tokenHash: hash(2), tokenLifetimeSeconds: DAY }, t)).toBe('expired');
    expect(session.isRevoked).toBe(false);
    expect(session.currentTokenHash).toBe('hash-1');
  });

  it('keeps the first reason when revoked twice', () => {
    const t = tools();
    const session = started(t);
    session.revoke('signed_out', t);
    t.clock.advance(1000);
    session.revoke('password_changed', t);
    expect(session.toPrimitives()).toMatchObject({
      revoked_at: new Date('2026-06-01T10:00:00.000Z'),
      revoked_reason: 'signed_out',
    });
  });

  it('rehydrates from primitives unchanged and without events', () => {
    const session = started();
    const again = Session.fromPrimitives({ ...session.toPrimitives(), version: 3 });
    expect(again.toPrimitives()).toEqual({ ...session.toPrimitives(), version: 3 });
    expect(again.recordedEvents).toEqual([]);
  });
});
