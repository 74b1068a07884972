import { accountsCommandHandlers } from '../../src/contexts/accounts/application/commands.ts';
import type { AccountsRepositories } from '../../src/contexts/accounts/application/dependencies.ts';
import type { MemberPrimitives } from '../../src/contexts/accounts/domain/member.ts';
import { InMemoryMemberRepository } from '../../src/contexts/accounts/infrastructure/in-memory-member-repository.ts';
import { MessageBus } from '../../src/shared/application/message-bus.ts';
import { FixedClock } from '../../src/shared/domain/clock.ts';
import type { DomainEvent } from '../../src/shared/domain/domain-event.ts';
import { SnowflakeIdGenerator } from '../../src/shared/domain/id.ts';
import {
  InMemoryTable,
  inMemoryUnitOfWorkFactory,
} from '../../src/shared/infrastructure/in-memory-unit-of-work.ts';
import { FakePasswordHasher } from './fake-password-hasher.ts';

/**
 * The accounts context composed as the app composes it, on in-memory fakes: a bus with the real
 * handlers, a fake hasher, a fixed clock, and the outbox as a plain array to look into.
 */
export function inMemoryAccounts() {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  const tools = { clock, ids: new SnowflakeIdGenerator(3, clock) };
  const members = new InMemoryTable<MemberPrimitives>();
  const outbox: DomainEvent[] = [];
  const uow = inMemoryUnitOfWorkFactory<AccountsRepositories>(
    (tracker) => ({ members: new InMemoryMemberRepository(members, tracker) }),
    [members],
    outbox,
  );
  const bus = new MessageBus();
  bus.register(accountsCommandHandlers({ uow, hasher: new FakePasswordHasher(), tools }));
  return { bus, clock, members, outbox, eventNames: () => outbox.map((event) => event.name) };
}

/** A sign-up command with sensible defaults (an Object Mother). */
export function aRegistration(overrides: { email?: string; password?: string; name?: string } = {}) {
  return {
    type: 'accounts.register_member' as const,
    email: overrides.email ?? 'ada@example.com',
    password: overrides.password ?? 'Correct-Horse-9',
    name: overrides.name ?? 'Ada Lovelace',
  };
}
