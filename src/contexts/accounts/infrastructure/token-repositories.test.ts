import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onServer, openTestDatabase } from '../../../../test/support/database.ts';
import type { UnitOfWorkFactory } from '../../../shared/application/unit-of-work.ts';
import { FixedClock } from '../../../shared/domain/clock.ts';
import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { DomainEvent } from '../../../shared/domain/domain-event.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import { SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import {
  InMemoryTable,
  inMemoryUnitOfWorkFactory,
} from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import { Outbox } from '../../../shared/infrastructure/outbox.ts';
import {
  type AggregateTracker,
  kyselyUnitOfWorkFactory,
  type UnitOfWorkScope,
} from '../../../shared/infrastructure/unit-of-work.ts';
import type { AccountsRepositories } from '../application/dependencies.ts';
import { Email } from '../domain/email.ts';
import { InvalidGrantError, InvalidResetTokenError } from '../domain/errors.ts';
import { Member, type MemberPrimitives } from '../domain/member.ts';
import { MemberName } from '../domain/member-name.ts';
import type { PasswordHash } from '../domain/password.ts';
import { PasswordReset, type PasswordResetPrimitives } from '../domain/password-reset.ts';
import { Session, type SessionPrimitives } from '../domain/session.ts';
import type { TokenHash } from '../domain/token-hash.ts';
import { InMemoryMemberRepository } from './in-memory-member-repository.ts';
import { InMemoryPasswordResetRepository } from './in-memory-password-reset-repository.ts';
import { InMemorySessionRepository } from './in-memory-session-repository.ts';
import { KyselyMemberRepository } from './kysely-member-repository.ts';
import { KyselyPasswordResetRepository } from './kysely-password-reset-repository.ts';
import { KyselySessionRepository } from './kysely-session-repository.ts';

const clock = new FixedClock('2026-06-01T10:00:00.000Z');
const tools: DomainTools = { clock, ids: new SnowflakeIdGenerator(6, clock) };
let counter = 0;
const unique = (prefix: string) => {
  counter += 1;
  return `${prefix}-${counter}`;
};
const aHash = () => unique('hash') as TokenHash;

interface Subject {
  uow: UnitOfWorkFactory<AccountsRepositories>;
  close(): Promise<void>;
}

const subjects: Record<string, () => Promise<Subject>> = {
  'in-memory fakes': async () => {
    const members = new InMemoryTable<MemberPrimitives>();
    const sessions = new InMemoryTable<SessionPrimitives>();
    const tokens = new InMemoryTable<string>();
    const resets = new InMemoryTable<PasswordResetPrimitives>();
    const outbox: DomainEvent[] = [];
    return {
      uow: inMemoryUnitOfWorkFactory(
        (tracker) => ({
          members: new InMemoryMemberRepository(members, tracker),
          sessions: new InMemorySessionRepository(sessions, tokens, members, tracker),
          passwordResets: new InMemoryPasswordResetRepository(resets, tracker),
        }),
        [members, sessions, tokens, resets],
        outbox,
      ),
      close: async () => undefined,
    };
  },
  [`Kysely on ${onServer ? 'the PostgreSQL server' : 'PGlite'}`]: async () => {
    const database = await openTestDatabase();
    return {
      uow: kyselyUnitOfWorkFactory(database.db, kyselyRepositories, new Outbox()),
      close: () => database.dispose(),
    };
  },
};

function kyselyRepositories(scope: UnitOfWorkScope, tracker: AggregateTracker): AccountsRepositories {
  return {
    members: new KyselyMemberRepository(scope, tracker),
    sessions: new KyselySessionRepository(scope, tracker),
    passwordResets: new KyselyPasswordResetRepository(scope, tracker),
  };
}

async function aStoredMember(uow: Subject['uow']): Promise<Member> {
  const member = Member.register(
    {
      email: Email.parse(`${unique('m')}@example.com`),
      name: MemberName.parse('Someone'),
      passwordHash: 'h' as PasswordHash,
    },
    tools,
  );
  await uow().run(({ members }) => members.add(member));
  return member;
}

const lifetime = 86_400;

for (const [name, make] of Object.entries(subjects)) {
  describe(`session and password reset repositories: ${name}`, () => {
    let subject: Subject;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(() => subject.close());

    it('finds a session by its current token, and by every token it was ever given', async () => {
      const member = await aStoredMember(subject.uow);
      const [first, second, third] = [aHash(), aHash(), aHash()];
      const session = Session.start(
        { memberId: member.id, tokenHash: first, tokenLifetimeSeconds: lifetime },
        tools,
      );
      await subject.uow().run(({ sessions }) => sessions.add(session));
      for (const [presented, next] of [
        [first, second],
        [second, third],
      ] as const) {
        await subject.uow().run(async ({ sessions }) => {
          const loaded = (await sessions.byTokenHash(presented))!;
          expect(loaded.rotate(presented, { tokenHash: next, tokenLifetimeSeconds: lifetime }, tools)).toBe(
            'rotated',
          );
          await sessions.save(loaded);
        });
      }
      for (const hash of [first, second, third]) {
        const found = await subject.uow().run(({ sessions }) => sessions.byTokenHash(hash));
        expect(found?.id).toBe(session.id);
        expect(found?.currentTokenHash).toBe(third);
        expect(found?.version).toBe(3);
      }
      expect(await subject.uow().run(({ sessions }) => sessions.byTokenHash(aHash()))).toBeUndefined();
    });

    it('adds a signed-in session only while its member exists with the password hash that was verified', async () => {
      const member = await aStoredMember(subject.uow);
      const start = () =>
        Session.start({ memberId: member.id, tokenHash: aHash(), tokenLifetimeSeconds: lifetime }, tools);
      const kept = start();
      await subject.uow().run(({ sessions }) => sessions.addSignedInWith(kept, 'h' as PasswordHash));
      expect(
        (await subject.uow().run(({ sessions }) => sessions.byTokenHash(kept.currentTokenHash)))?.id,
      ).toBe(kept.id);

      const refusedAndNotStored = async (session: Session, hash: string) => {
        await expect(
          subject.uow().run(({ sessions }) => sessions.addSignedInWith(session, hash as PasswordHash)),
        ).rejects.toBeInstanceOf(InvalidGrantError);
        expect(
          await subject.uow().run(({ sessions }) => sessions.byTokenHash(session.currentTokenHash)),
        ).toBeUndefined();
      };
      await refusedAndNotStored(start(), 'old');

      await subject.uow().run(async ({ members }) => {
        const current = (await members.byId(member.id))!;
        current.delete(tools);
        await members.save(current);
      });
      await refusedAndNotStored(start(), 'h');
    });

    it("revokes all of a member's open sessions at once, and nobody else's", async () => {
      const [ada, grace] = [await aStoredMember(subject.uow), await aStoredMember(subject.uow)];
      const hashes = [aHash(), aHash(), aHash(), aHash()];
      await subject.uow().run(async ({ sessions }) => {
        for (const [i, hash] of hashes.entries()) {
          const owner = i < 3 ? ada : grace;
          await sessions.add(
            Session.start({ memberId: owner.id, tokenHash: hash, tokenLifetimeSeconds: lifetime }, tools),
          );
        }
      });
      await subject.uow().run(async ({ sessions }) => {
        const signedOut = (await sessions.byTokenHash(hashes[0]!))!;
        signedOut.revoke('signed_out', tools);
        await sessions.save(signedOut);
      });
      const revoked = await subject
        .uow()
        .run(({ sessions }) => sessions.revokeAllOf(ada.id, 'password_changed', clock.now()));
      expect(revoked).toBe(2);
      const reasons = await subject
        .uow()
        .run(async ({ sessions }) =>
          Promise.all(hashes.map(async (hash) => (await sessions.byTokenHash(hash))?.revokedReason)),
        );
      expect(reasons).toEqual(['signed_out', 'password_changed', 'password_changed', null]);
    });

    it('refuses to save a stale session', async () => {
      const member = await aStoredMember(subject.uow);
      const hash = aHash();
      await subject
        .uow()
        .run(({ sessions }) =>
          sessions.add(
            Session.start({ memberId: member.id, tokenHash: hash, tokenLifetimeSeconds: lifetime }, tools),
          ),
        );
      const stale = (await subject.uow().run(({ sessions }) => sessions.byTokenHash(hash)))!;
      await subject
        .uow()
        .run(({ sessions }) => sessions.revokeAllOf(member.id, 'member_deleted', clock.now()));
      stale.revoke('signed_out', tools);
      await expect(subject.uow().run(({ sessions }) => sessions.save(stale))).rejects.toThrow(
        ConcurrencyError,
      );
    });

    it('keeps password resets by token hash, redeems them once, and discards unused ones', async () => {
      const member = await aStoredMember(subject.uow);
      const [used, unused] = [aHash(), aHash()];
      await subject.uow().run(async ({ passwordResets }) => {
        await passwordResets.add(PasswordReset.issue({ memberId: member.id, tokenHash: used }, tools));
        await passwordResets.add(PasswordReset.issue({ memberId: member.id, tokenHash: unused }, tools));
      });
      await subject.uow().run(async ({ passwordResets }) => {
        const reset = (await passwordResets.byTokenHash(used))!;
        reset.redeem(tools);
        await passwordResets.save(reset);
      });
      await expect(
        subject
          .uow()
          .run(async ({ passwordResets }) => (await passwordResets.byTokenHash(used))!.redeem(tools)),
      ).rejects.toThrow(InvalidResetTokenError);
      await subject.uow().run(({ passwordResets }) => passwordResets.discardUnusedOf(member.id));
      expect(
        await subject.uow().run(({ passwordResets }) => passwordResets.byTokenHash(unused)),
      ).toBeUndefined();
      expect(
        (await subject.uow().run(({ passwordResets }) => passwordResets.byTokenHash(used)))?.toPrimitives()
          .used_at,
      ).toEqual(clock.now());
    });
  });
}

describe.runIf(onServer)('racing on the PostgreSQL server', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let uow: Subject['uow'];
  beforeAll(async () => {
    database = await openTestDatabase();
    uow = kyselyUnitOfWorkFactory(database.db, kyselyRepositories, new Outbox());
  });
  afterAll(() => database.dispose());

  /** The refresh use case's transaction, reduced to what the repository must make safe. */
  const exchange = (presented: TokenHash) =>
    uow().run(async ({ sessions }) => {
      const session = await sessions.byTokenHash(presented);
      if (session === undefined) return 'unknown';
      const outcome = session.rotate(
        presented,
        { tokenHash: aHash(), tokenLifetimeSeconds: lifetime },
        tools,
      );
      if (outcome === 'rotated' || outcome === 'reuse_detected') await sessions.save(session);
      return outcome;
    });

  it('lets one of two simultaneous exchanges of one refresh token win; the other is a reuse that revokes the session', async () => {
    for (let round = 0; round < 5; round += 1) {
      const member = await aStoredMember(uow);
      const hash = aHash();
      await uow().run(({ sessions }) =>
        sessions.add(
          Session.start({ memberId: member.id, tokenHash: hash, tokenLifetimeSeconds: lifetime }, tools),
        ),
      );
      const outcomes = await Promise.all([exchange(hash), exchange(hash)]);
      expect(outcomes.sort()).toEqual(['reuse_detected', 'rotated']);
      const session = await uow().run(({ sessions }) => sessions.byTokenHash(hash));
      expect(session?.revokedReason).toBe('reuse_detected');
    }
  });

  it('lets one of two simultaneous redemptions of one reset token win', async () => {
    const member = await aStoredMember(uow);
    const hash = aHash();
    await uow().run(({ passwordResets }) =>
      passwordResets.add(PasswordReset.issue({ memberId: member.id, tokenHash: hash }, tools)),
    );
    const redeem = () =>
      uow().run(async ({ passwordResets }) => {
        const reset = (await passwordResets.byTokenHash(hash))!;
        reset.redeem(tools);
        await passwordResets.save(reset);
      });
    const results = await Promise.allSettled([redeem(), redeem(), redeem()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InvalidResetTokenError);
    }
  });
});

describe.runIf(onServer)('a sign-in racing a password change (PostgreSQL server)', () => {
  it('waits for the change, then stores no session made with the old password', async () => {
    const database = await openTestDatabase();
    try {
      const uow = kyselyUnitOfWorkFactory(database.db, kyselyRepositories, new Outbox());
      const member = await aStoredMember(uow);
      // The password change holds the member row (as its transaction does while it revokes sessions).
      const change = await database.db.startTransaction().execute();
      let committed = false;
      try {
        await sql`update accounts.members set password_hash = 'new', version = version + 1
                   where id = ${member.id.toString()}`.execute(change);
        const session = Session.start(
          { memberId: member.id, tokenHash: aHash(), tokenLifetimeSeconds: lifetime },
          tools,
        );
        let settled = false;
        const signIn = uow()
          .run(({ sessions }) => sessions.addSignedInWith(session, 'h' as PasswordHash))
          .finally(() => {
            settled = true;
          });
        signIn.catch(() => undefined); // awaited below
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(settled).toBe(false); // waiting for the member row
        await change.commit().execute();
        committed = true;
        await expect(signIn).rejects.toBeInstanceOf(InvalidGrantError);
      } finally {
        if (!committed) await change.rollback().execute();
      }
      const stored = await sql<{ n: string }>`select count(*) as n from accounts.sessions
        where member_id = ${member.id.toString()}`.execute(database.db);
      expect(stored.rows).toEqual([{ n: '0' }]);
    } finally {
      await database.dispose();
    }
  });
});
