import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../shared/domain/clock.ts';
import { Id, SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { InvalidResetTokenError } from './errors.ts';
import { PasswordReset } from './password-reset.ts';
import type { TokenHash } from './token-hash.ts';

function setup() {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  const tools = { clock, ids: new SnowflakeIdGenerator(1, clock) };
  const reset = PasswordReset.issue({ memberId: Id.of('42'), tokenHash: 'h' as TokenHash }, tools);
  return { clock, tools, reset };
}

describe('PasswordReset', () => {
  it('lasts 30 minutes', () => {
    const { reset } = setup();
    expect(reset.expiresAt.toISOString()).toBe('2026-06-01T10:30:00.000Z');
  });

  it('is redeemed once', () => {
    const { reset, tools } = setup();
    reset.redeem(tools);
    expect(reset.toPrimitives().used_at).toEqual(tools.clock.now());
    expect(() => reset.redeem(tools)).toThrow(InvalidResetTokenError);
  });

  it('is refused from its 30th minute on', () => {
    const { reset, tools, clock } = setup();
    clock.advance(30 * 60_000 - 1);
    expect(reset.isUsable(tools)).toBe(true);
    clock.advance(1);
    expect(reset.isUsable(tools)).toBe(false);
    expect(() => reset.redeem(tools)).toThrow(InvalidResetTokenError);
    expect(reset.toPrimitives().used_at).toBeNull();
  });
});
