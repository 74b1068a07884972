import { describe, expect, it } from 'vitest';
import { aRegistration, asMember, inMemoryAccounts } from '../../../../test/support/accounts.ts';
import { Id } from '../../../shared/domain/id.ts';
import {
  CurrentPasswordRequiredError,
  InvalidGrantError,
  MemberAccessDeniedError,
  SuperuserSelfDeletionError,
  WeakPasswordError,
} from '../domain/errors.ts';
import type { PasswordRecoveryRequested } from '../domain/events.ts';
import { sendPasswordResetMail } from './send-password-reset-mail.ts';

describe('accounts security use cases (through the bus, on in-memory fakes)', () => {
  it('signs in with the right password only, and refreshes into a new pair', async () => {
    const { bus, accessTokens } = inMemoryAccounts();
    const ada = await bus.execute(aRegistration());
    await expect(
      bus.execute({ type: 'accounts.sign_in', email: 'ada@example.com', password: 'Wrong-Horse-9' }),
    ).rejects.toThrow(InvalidGrantError);
    const grant = await bus.execute({
      type: 'accounts.sign_in',
      email: 'ADA@example.com',
      password: 'Correct-Horse-9',
    });
    expect(accessTokens.verify(grant.access_token)).toMatchObject({
      memberId: Id.of(ada.id),
      role: 'member',
    });
    const next = await bus.execute({ type: 'accounts.refresh_session', refreshToken: grant.refresh_token });
    expect(next.refresh_token).not.toBe(grant.refresh_token);
    await expect(
      bus.execute({ type: 'accounts.refresh_session', refreshToken: grant.refresh_token }),
    ).rejects.toThrow(InvalidGrantError);
    await expect(
      bus.execute({ type: 'accounts.refresh_session', refreshToken: next.refresh_token }),
    ).rejects.toThrow(InvalidGrantError);
  });

  it('checks a password against the dummy hash when the email is unknown', async () => {
    const { bus, hasher } = inMemoryAccounts();
    const before = hasher.verifications;
    await expect(
      bus.execute({ type: 'accounts.sign_in', email: 'nobody@example.com', password: 'Correct-Horse-9' }),
    ).rejects.toThrow(InvalidGrantError);
    expect(hasher.verifications).toBe(before + 1);
  });

  it('refuses a member acting on another member before loading anything', async () => {
    const { bus } = inMemoryAccounts();
    const [ada, grace] = [
      await bus.execute(aRegistration()),
      await bus.execute(aRegistration({ email: 'g@example.com' })),
    ];
    const actor = asMember(grace.id);
    const attempts = [
      () =>
        bus.execute({ type: 'accounts.update_member_profile', actor, memberId: Id.of(ada.id), name: 'X' }),
      () =>
        bus.execute({
          type: 'accounts.change_member_email',
          actor,
          memberId: Id.of(ada.id),
          email: 'x@example.com',
        }),
      () =>
        bus.execute({
          type: 'accounts.change_member_password',
          actor,
          memberId: Id.of(ada.id),
          password: 'New-Pass-12',
        }),
      () => bus.execute({ type: 'accounts.delete_member', actor, memberId: Id.of(ada.id) }),
      () => bus.execute({ type: 'accounts.delete_member', actor, memberId: Id.of('12345') }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toThrow(MemberAccessDeniedError);
  });

  it('wants the current password from members changing their own, not from a superuser', async () => {
    const { bus } = inMemoryAccounts();
    const ada = await bus.execute(aRegistration());
    await expect(
      bus.execute({
        type: 'accounts.change_member_password',
        actor: asMember(ada.id),
        memberId: Id.of(ada.id),
        password: 'New-Pass-12!',
      }),
    ).rejects.toThrow(CurrentPasswordRequiredError);
    await bus.execute({
      type: 'accounts.change_member_password',
      actor: asMember('99', 'superuser'),
      memberId: Id.of(ada.id),
      password: 'New-Pass-12!',
    });
  });

  it('refuses a superuser deleting themself, but lets a member delete themself', async () => {
    const { bus } = inMemoryAccounts();
    const { member: root } = await bus.execute({
      type: 'accounts.ensure_superuser',
      email: 'root@example.com',
      password: 'Root-Pass-1!',
    });
    await expect(
      bus.execute({
        type: 'accounts.delete_member',
        actor: asMember(root.id, 'superuser'),
        memberId: Id.of(root.id),
      }),
    ).rejects.toThrow(SuperuserSelfDeletionError);
    const ada = await bus.execute(aRegistration());
    await bus.execute({ type: 'accounts.delete_member', actor: asMember(ada.id), memberId: Id.of(ada.id) });
  });

  it('ensures a superuser idempotently, and never turns a member into one', async () => {
    const { bus, members } = inMemoryAccounts();
    const command = {
      type: 'accounts.ensure_superuser' as const,
      email: 'root@example.com',
      password: 'Root-Pass-1!',
    };
    const first = await bus.execute(command);
    const second = await bus.execute({ ...command, password: 'Another-Pass-2!' });
    expect([first.outcome, second.outcome]).toEqual(['created', 'already_superuser']);
    expect(first.member).toMatchObject({ email: 'root@example.com', is_superuser: true });
    expect(members.rows.size).toBe(1);
    await bus.execute(aRegistration());
    expect((await bus.execute({ ...command, email: 'ada@example.com' })).outcome).toBe('taken_by_member');
    await expect(bus.execute({ ...command, email: 'new@example.com', password: 'weak' })).rejects.toThrow(
      WeakPasswordError,
    );
  });

  it('records a recovery request for a member only, without any token, and mails the link on delivery', async () => {
    const { bus, outbox, deps, mailer, passwordResets } = inMemoryAccounts();
    await bus.execute(aRegistration());
    await bus.execute({ type: 'accounts.request_password_recovery', email: 'nobody@example.com' });
    await bus.execute({ type: 'accounts.request_password_recovery', email: 'Ada@Example.com' });
    const requests = outbox.filter((e) => e.name === 'accounts.password_recovery_requested');
    expect(requests.map((e) => e.payload)).toEqual([{ email: 'ada@example.com' }]);
    await sendPasswordResetMail(requests[0] as PasswordRecoveryRequested, deps);
    expect(mailer.sent).toHaveLength(1);
    expect(passwordResets.rows.size).toBe(1);
    await bus.execute({
      type: 'accounts.reset_password',
      token: mailer.lastResetToken(),
      password: 'Reset-Pass-1!',
    });
    await bus.execute({ type: 'accounts.sign_in', email: 'ada@example.com', password: 'Reset-Pass-1!' });
  });
});
