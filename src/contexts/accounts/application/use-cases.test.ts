import { describe, expect, it } from 'vitest';
import { aRegistration, inMemoryAccounts, SYSTEM_ACTOR } from '../../../../test/support/accounts.ts';
import { Id } from '../../../shared/domain/id.ts';
import {
  EmailTakenError,
  MemberNotFoundError,
  WeakPasswordError,
  WrongPasswordError,
} from '../domain/errors.ts';

describe('accounts use cases (through the bus, on in-memory fakes)', () => {
  it('registers a member and stores accounts.member_registered in the outbox', async () => {
    const { bus, eventNames, members } = inMemoryAccounts();
    const member = await bus.execute(aRegistration());
    expect(member).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace', is_superuser: false });
    expect(members.rows.get(member.id)?.password_hash).not.toContain('Correct-Horse-9');
    expect(eventNames()).toEqual(['accounts.member_registered']);
  });

  it('refuses a second active member with the same email, whatever its case, and stores nothing', async () => {
    const { bus, eventNames, members } = inMemoryAccounts();
    await bus.execute(aRegistration());
    await expect(bus.execute(aRegistration({ email: 'ADA@Example.com' }))).rejects.toThrow(EmailTakenError);
    expect(members.rows.size).toBe(1);
    expect(eventNames()).toEqual(['accounts.member_registered']);
  });

  it('lets a deleted member’s email be registered again', async () => {
    const { bus } = inMemoryAccounts();
    const first = await bus.execute(aRegistration());
    await bus.execute({ type: 'accounts.delete_member', actor: SYSTEM_ACTOR, memberId: Id.of(first.id) });
    const second = await bus.execute(aRegistration());
    expect(second.id).not.toBe(first.id);
  });

  it('refuses a weak password before anything is stored', async () => {
    const { bus, outbox, members } = inMemoryAccounts();
    await expect(bus.execute(aRegistration({ password: 'password' }))).rejects.toThrow(WeakPasswordError);
    expect(members.rows.size).toBe(0);
    expect(outbox).toEqual([]);
  });

  it('updates the profile and changes the email, recording both', async () => {
    const { bus, clock, outbox } = inMemoryAccounts();
    const { id } = await bus.execute(aRegistration());
    clock.advance(5_000);
    const renamed = await bus.execute({
      type: 'accounts.update_member_profile',
      actor: SYSTEM_ACTOR,
      memberId: Id.of(id),
      name: 'Ada King',
    });
    const moved = await bus.execute({
      type: 'accounts.change_member_email',
      actor: SYSTEM_ACTOR,
      memberId: Id.of(id),
      email: 'ada.king@example.com',
    });
    expect(renamed.name).toBe('Ada King');
    expect(moved).toMatchObject({ email: 'ada.king@example.com', updated_at: '2026-06-01T10:00:05.000Z' });
    expect(outbox.map((e) => [e.name, e.payload])).toEqual([
      ['accounts.member_registered', { email: 'ada@example.com', name: 'Ada Lovelace', is_superuser: false }],
      ['accounts.member_profile_updated', { name: 'Ada King' }],
      ['accounts.member_email_changed', { old_email: 'ada@example.com', new_email: 'ada.king@example.com' }],
    ]);
  });

  it('refuses to move a member onto an email another member has', async () => {
    const { bus } = inMemoryAccounts();
    const ada = await bus.execute(aRegistration());
    await bus.execute(aRegistration({ email: 'grace@example.com' }));
    await expect(
      bus.execute({
        type: 'accounts.change_member_email',
        actor: SYSTEM_ACTOR,
        memberId: Id.of(ada.id),
        email: 'grace@example.com',
      }),
    ).rejects.toThrow(EmailTakenError);
  });

  it('changes the password only when the current one, if given, is right', async () => {
    const { bus, members, eventNames } = inMemoryAccounts();
    const { id } = await bus.execute(aRegistration());
    const before = members.rows.get(id)?.password_hash;
    await expect(
      bus.execute({
        type: 'accounts.change_member_password',
        actor: SYSTEM_ACTOR,
        memberId: Id.of(id),
        password: 'Even-Better-10',
        currentPassword: 'wrong',
      }),
    ).rejects.toThrow(WrongPasswordError);
    expect(members.rows.get(id)?.password_hash).toBe(before);
    await bus.execute({
      type: 'accounts.change_member_password',
      actor: SYSTEM_ACTOR,
      memberId: Id.of(id),
      password: 'Even-Better-10',
      currentPassword: 'Correct-Horse-9',
    });
    expect(members.rows.get(id)?.password_hash).not.toBe(before);
    expect(eventNames()).toEqual(['accounts.member_registered', 'accounts.member_password_changed']);
  });

  it('answers member.not_found for unknown and deleted members', async () => {
    const { bus } = inMemoryAccounts();
    const { id } = await bus.execute(aRegistration());
    await bus.execute({ type: 'accounts.delete_member', actor: SYSTEM_ACTOR, memberId: Id.of(id) });
    await expect(
      bus.execute({ type: 'accounts.delete_member', actor: SYSTEM_ACTOR, memberId: Id.of(id) }),
    ).rejects.toThrow(MemberNotFoundError);
    await expect(
      bus.execute({
        type: 'accounts.update_member_profile',
        actor: SYSTEM_ACTOR,
        memberId: Id.of('42'),
        name: 'X',
      }),
    ).rejects.toThrow(MemberNotFoundError);
  });
});
