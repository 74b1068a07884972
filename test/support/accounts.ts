import { type Actor, SYSTEM_ACTOR } from '../../src/contexts/accounts/application/actor.ts';
import { accountsCommandHandlers } from '../../src/contexts/accounts/application/commands.ts';
import type {
  AccountsDependencies,
  AccountsRepositories,
} from '../../src/contexts/accounts/application/dependencies.ts';
import type { MemberPrimitives } from '../../src/contexts/accounts/domain/member.ts';
import type { PasswordResetPrimitives } from '../../src/contexts/accounts/domain/password-reset.ts';
import type { SessionPrimitives } from '../../src/contexts/accounts/domain/session.ts';
import { CryptoOpaqueTokens } from '../../src/contexts/accounts/infrastructure/crypto-opaque-tokens.ts';
import { InMemoryMemberRepository } from '../../src/contexts/accounts/infrastructure/in-memory-member-repository.ts';
import { InMemoryPasswordResetRepository } from '../../src/contexts/accounts/infrastructure/in-memory-password-reset-repository.ts';
import { InMemorySessionRepository } from '../../src/contexts/accounts/infrastructure/in-memory-session-repository.ts';
import { MessageBus } from '../../src/shared/application/message-bus.ts';
import { FixedClock } from '../../src/shared/domain/clock.ts';
import type { DomainEvent } from '../../src/shared/domain/domain-event.ts';
import { Id, SnowflakeIdGenerator } from '../../src/shared/domain/id.ts';
import {
  InMemoryTable,
  inMemoryUnitOfWorkFactory,
} from '../../src/shared/infrastructure/in-memory-unit-of-work.ts';
import { JwtAccessTokens } from '../../src/shared/infrastructure/jwt-access-tokens.ts';
import { CapturingMailer } from './capturing-mailer.ts';
import { FakePasswordHasher } from './fake-password-hasher.ts';

/**
 * The accounts context composed as the app composes it, on in-memory fakes: a bus with the real
 * handlers, a fake hasher, a fixed clock, a capturing mailer, and the outbox as a plain array.
 */
export function inMemoryAccounts() {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  const tools = { clock, ids: new SnowflakeIdGenerator(3, clock) };
  const members = new InMemoryTable<MemberPrimitives>();
  const sessions = new InMemoryTable<SessionPrimitives>();
  const refreshTokens = new InMemoryTable<string>();
  const passwordResets = new InMemoryTable<PasswordResetPrimitives>();
  const outbox: DomainEvent[] = [];
  const uow = inMemoryUnitOfWorkFactory<AccountsRepositories>(
    (tracker) => ({
      members: new InMemoryMemberRepository(members, tracker),
      sessions: new InMemorySessionRepository(sessions, refreshTokens, members, tracker),
      passwordResets: new InMemoryPasswordResetRepository(passwordResets, tracker),
    }),
    [members, sessions, refreshTokens, passwordResets],
    outbox,
  );
  const hasher = new FakePasswordHasher();
  const mailer = new CapturingMailer();
  const accessTokens = new JwtAccessTokens({
    secret: 'an-in-memory-test-secret-of-32-bytes+',
    ttlSeconds: 900,
    issuer: 'bounded',
    audience: 'bounded-api',
    clock,
  });
  const deps: AccountsDependencies = {
    uow,
    hasher,
    tools,
    tokens: new CryptoOpaqueTokens(),
    accessTokens,
    mailer,
    settings: { refreshTokenLifetimeSeconds: 30 * 86_400, publicUrl: 'https://bounded.example.com' },
  };
  const bus = new MessageBus();
  bus.register(accountsCommandHandlers(deps));
  return {
    bus,
    deps,
    clock,
    hasher,
    mailer,
    accessTokens,
    members,
    sessions,
    passwordResets,
    outbox,
    eventNames: () => outbox.map((event) => event.name),
  };
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

/** The actor of a signed-in member. */
export function asMember(memberId: Id | string, role: 'member' | 'superuser' = 'member'): Actor {
  return { kind: 'member', memberId: typeof memberId === 'string' ? Id.of(memberId) : memberId, role };
}

export { SYSTEM_ACTOR };
