import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../shared/domain/clock.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import { SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { Email } from './email.ts';
import { EmailUniqueness } from './email-uniqueness.ts';
import { EmailTakenError } from './errors.ts';
import { Member } from './member.ts';
import { MemberName } from './member-name.ts';
import type { MemberRepository } from './member-repository.ts';
import type { PasswordHash } from './password.ts';

function tools(): DomainTools & { clock: FixedClock } {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  return { clock, ids: new SnowflakeIdGenerator(1, clock) };
}

function aMember(t = tools(), email = 'ada@example.com'): Member {
  return Member.register(
    { email: Email.parse(email), name: MemberName.parse('Ada'), passwordHash: 'hash-1' as PasswordHash },
    t,
  );
}

describe('Member', () => {
  it('records accounts.member_registered when registered, with the email and name', () => {
    const member = aMember();
    expect(member.pullEvents()).toEqual([
      expect.objectContaining({
        name: 'accounts.member_registered',
        aggregate_type: 'member',
        aggregate_id: member.id,
        payload: { email: 'ada@example.com', name: 'Ada', is_superuser: false },
      }),
    ]);
    expect(member.version).toBe(0);
  });

  it('records the old and the new address when the email changes', () => {
    const t = tools();
    const member = aMember(t);
    member.pullEvents();
    t.clock.advance(1000);
    member.changeEmail(Email.parse('ada.king@example.com'), t);
    expect(member.email.value).toBe('ada.king@example.com');
    expect(member.updatedAt.toISOString()).toBe('2026-06-01T10:00:01.000Z');
    expect(member.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['accounts.member_email_changed', { old_email: 'ada@example.com', new_email: 'ada.king@example.com' }],
    ]);
  });

  it('records nothing when the email or name is set to what it already is', () => {
    const t = tools();
    const member = aMember(t);
    member.pullEvents();
    member.changeEmail(Email.parse('ADA@example.com'), t);
    member.updateProfile(MemberName.parse(' Ada '), t);
    expect(member.pullEvents()).toEqual([]);
  });

  it('records profile and password changes without the password in the event', () => {
    const t = tools();
    const member = aMember(t);
    member.pullEvents();
    member.updateProfile(MemberName.parse('Ada King'), t);
    member.changePassword('hash-2' as PasswordHash, t);
    const events = member.pullEvents();
    expect(events.map((e) => e.name)).toEqual([
      'accounts.member_profile_updated',
      'accounts.member_password_changed',
    ]);
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain('hash-2');
    expect(member.passwordHash).toBe('hash-2');
  });

  it('is soft-deleted once, recording accounts.member_deleted', () => {
    const t = tools();
    const member = aMember(t);
    member.pullEvents();
    member.delete(t);
    member.delete(t);
    expect(member.isDeleted).toBe(true);
    expect(member.pullEvents().map((e) => e.name)).toEqual(['accounts.member_deleted']);
    expect(member.toPrimitives().deleted_at).toEqual(t.clock.now());
  });

  it('rehydrates from primitives without recording events', () => {
    const member = aMember();
    const again = Member.fromPrimitives({ ...member.toPrimitives(), version: 4 });
    expect(again.recordedEvents).toEqual([]);
    expect(again.version).toBe(4);
    expect(again.toPrimitives()).toEqual({ ...member.toPrimitives(), version: 4 });
  });
});

describe('EmailUniqueness', () => {
  const holder = aMember();
  const members: MemberRepository = {
    add: async () => undefined,
    save: async () => undefined,
    byId: async () => undefined,
    byIdLocked: async () => undefined,
    byEmail: async (email) => (email.equals(holder.email) ? holder : undefined),
  };

  it('refuses an email another active member has', async () => {
    await expect(
      new EmailUniqueness(members).ensureAvailable(Email.parse('ADA@example.com')),
    ).rejects.toThrow(EmailTakenError);
  });

  it('lets a member keep their own email, and anyone take a free one', async () => {
    await new EmailUniqueness(members).ensureAvailable(Email.parse('ada@example.com'), holder.id);
    await new EmailUniqueness(members).ensureAvailable(Email.parse('grace@example.com'));
  });
});
