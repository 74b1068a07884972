import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onServer, openTestDatabase } from '../../../../test/support/database.ts';
import { type RepositorySubject, repositorySubjects } from '../../../../test/support/repository-subjects.ts';
import { FixedClock } from '../../../shared/domain/clock.ts';
import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import { SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import { Outbox } from '../../../shared/infrastructure/outbox.ts';
import { kyselyUnitOfWorkFactory } from '../../../shared/infrastructure/unit-of-work.ts';
import type { AccountsRepositories } from '../application/dependencies.ts';
import { Email } from '../domain/email.ts';
import { EmailTakenError } from '../domain/errors.ts';
import { Member, type MemberPrimitives } from '../domain/member.ts';
import { MemberName } from '../domain/member-name.ts';
import type { PasswordHash } from '../domain/password.ts';
import { InMemoryMemberRepository } from './in-memory-member-repository.ts';
import { KyselyMemberRepository } from './kysely-member-repository.ts';

type Subject = RepositorySubject<Pick<AccountsRepositories, 'members'>>;

const clock = new FixedClock('2026-06-01T10:00:00.000Z');
const tools: DomainTools = { clock, ids: new SnowflakeIdGenerator(5, clock) };
let counter = 0;

function newMember(email?: string): Member {
  counter += 1;
  return Member.register(
    {
      email: Email.parse(email ?? `m${counter}@example.com`),
      name: MemberName.parse('Someone'),
      passwordHash: 'h' as PasswordHash,
    },
    tools,
  );
}

const subjects = repositorySubjects<Pick<AccountsRepositories, 'members'>>({
  inMemory: () => {
    const table = new InMemoryTable<MemberPrimitives>();
    return {
      tables: [table],
      repositories: (tracker) => ({ members: new InMemoryMemberRepository(table, tracker) }),
    };
  },
  kysely: (scope, tracker) => ({ members: new KyselyMemberRepository(scope, tracker) }),
});

for (const [name, make] of Object.entries(subjects)) {
  describe(`MemberRepository + unit of work: ${name}`, () => {
    let subject: Subject;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(() => subject.close());

    it('stores a member and reads it back by id and by email, equal field by field', async () => {
      const member = newMember();
      await subject.uow().run(({ members }) => members.add(member));
      const byId = await subject.uow().run(({ members }) => members.byId(member.id));
      const byEmail = await subject.uow().run(({ members }) => members.byEmail(member.email));
      expect(byId?.toPrimitives()).toEqual({ ...member.toPrimitives(), version: 1 });
      expect(byEmail?.id).toBe(member.id);
    });

    it('writes the recorded events to the outbox with the commit, and none on rollback', async () => {
      const before = (await subject.outboxNames()).length;
      const kept = newMember();
      await subject.uow().run(({ members }) => members.add(kept));
      const dropped = newMember();
      await expect(
        subject.uow().run(async ({ members }) => {
          await members.add(dropped);
          throw new Error('the command failed after saving');
        }),
      ).rejects.toThrow('the command failed');
      expect((await subject.outboxNames()).slice(before)).toEqual(['accounts.member_registered']);
      expect(await subject.uow().run(({ members }) => members.byId(dropped.id))).toBeUndefined();
    });

    it('refuses a second active member with one email, but not after the first is deleted', async () => {
      const first = newMember('twice@example.com');
      await subject.uow().run(({ members }) => members.add(first));
      await expect(
        subject.uow().run(({ members }) => members.add(newMember('twice@example.com'))),
      ).rejects.toThrow(EmailTakenError);
      await subject.uow().run(async ({ members }) => {
        const loaded = (await members.byId(first.id))!;
        loaded.delete(tools);
        await members.save(loaded);
      });
      await subject.uow().run(({ members }) => members.add(newMember('twice@example.com')));
      expect(await subject.uow().run(({ members }) => members.byId(first.id))).toBeUndefined();
    });

    it('refuses to save a member someone else saved since it was loaded', async () => {
      const member = newMember();
      await subject.uow().run(({ members }) => members.add(member));
      const stale = (await subject.uow().run(({ members }) => members.byId(member.id)))!;
      await subject.uow().run(async ({ members }) => {
        const fresh = (await members.byId(member.id))!;
        fresh.updateProfile(MemberName.parse('First writer'), tools);
        await members.save(fresh);
      });
      stale.updateProfile(MemberName.parse('Second writer'), tools);
      await expect(subject.uow().run(({ members }) => members.save(stale))).rejects.toThrow(ConcurrencyError);
      const stored = await subject.uow().run(({ members }) => members.byId(member.id));
      expect(stored?.name.value).toBe('First writer');
      expect(stored?.version).toBe(2);
    });
  });
}

describe.runIf(onServer)('concurrent writers on the PostgreSQL server', () => {
  it('lets one of two concurrent updates of a member win; the other gets ConcurrencyError', async () => {
    const database = await openTestDatabase();
    try {
      const uow = kyselyUnitOfWorkFactory(
        database.db,
        (scope, tracker) => ({ members: new KyselyMemberRepository(scope, tracker) }),
        new Outbox(),
      );
      const member = newMember();
      await uow().run(({ members }) => members.add(member));
      // Both transactions load version 1 before either saves: a real race on two connections.
      let loaded = 0;
      let release!: () => void;
      const bothLoaded = new Promise<void>((resolve) => {
        release = resolve;
      });
      const update = (name: string) =>
        uow().run(async ({ members }) => {
          const m = (await members.byId(member.id))!;
          loaded += 1;
          if (loaded === 2) release();
          await bothLoaded;
          m.updateProfile(MemberName.parse(name), tools);
          await members.save(m);
          return name;
        });
      const results = await Promise.allSettled([update('Writer A'), update('Writer B')]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      const stored = await uow().run(({ members }) => members.byId(member.id));
      expect(stored?.name.value).toBe((won[0] as PromiseFulfilledResult<string>).value);
      const outbox = await sql<{
        n: string;
      }>`select count(*) as n from shared.outbox where name = 'accounts.member_profile_updated'`.execute(
        database.db,
      );
      expect(outbox.rows[0]?.n).toBe('1');
    } finally {
      await database.dispose();
    }
  });

  it('lets one of two concurrent sign-ups with one email through; the other gets EmailTakenError', async () => {
    const database = await openTestDatabase();
    try {
      const uow = kyselyUnitOfWorkFactory(
        database.db,
        (scope, tracker) => ({ members: new KyselyMemberRepository(scope, tracker) }),
        new Outbox(),
      );
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          uow().run(({ members }) => members.add(newMember('race@example.com'))),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(EmailTakenError);
      }
    } finally {
      await database.dispose();
    }
  });
});
