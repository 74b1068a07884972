import type { Transaction } from 'kysely';
import type { BoundedContext } from '../../shared/infrastructure/bounded-context.ts';
import { type AggregateTracker, kyselyUnitOfWorkFactory } from '../../shared/infrastructure/unit-of-work.ts';
import { accountsCommandHandlers, accountsCommandTypes } from './application/commands.ts';
import type { AccountsRepositories } from './application/dependencies.ts';
import { sendEmailChangedNotice, sendWelcomeMail } from './application/send-member-mails.ts';
import type { PasswordHasher } from './domain/password.ts';
import { accountsErrorStatuses } from './http/error-statuses.ts';
import { memberRoutes } from './http/routes.ts';
import { Argon2PasswordHasher } from './infrastructure/argon2-password-hasher.ts';
import { KyselyMemberQueries } from './infrastructure/kysely-member-queries.ts';
import { KyselyMemberRepository } from './infrastructure/kysely-member-repository.ts';

export interface AccountsOptions {
  /** Replaces Argon2id (tests use a fast fake). */
  readonly hasher?: PasswordHasher;
}

/** The accounts context: members (and, later, their credentials and tokens). */
export const accounts: BoundedContext<AccountsOptions> = {
  name: 'accounts',
  migrations: new URL('./infrastructure/migrations/', import.meta.url),
  errorStatuses: accountsErrorStatuses,
  commandTypes: accountsCommandTypes,
  tags: [{ name: 'members', description: 'Members: sign-up, profile, email, password, deletion' }],

  start({ db, readDb, outbox, tools, bus, mailer, publicUrl }, options) {
    const repositories = (tx: Transaction<unknown>, tracker: AggregateTracker): AccountsRepositories => ({
      members: new KyselyMemberRepository(tx, tracker),
    });
    const deps = {
      uow: kyselyUnitOfWorkFactory(db, repositories, outbox),
      hasher: options.hasher ?? new Argon2PasswordHasher(),
      tools,
    };
    bus.register(accountsCommandHandlers(deps));
    const queries = new KyselyMemberQueries(readDb);
    const mails = { mailer, publicUrl };
    return {
      routes: (app) => memberRoutes(app, { bus, queries }),
      subscriptions: [
        {
          event: 'accounts.member_registered',
          subscriber: 'accounts.send_welcome_mail',
          handle: (event) => sendWelcomeMail(event, mails),
        },
        {
          event: 'accounts.member_email_changed',
          subscriber: 'accounts.notify_previous_email',
          handle: (event) => sendEmailChangedNotice(event, mails),
        },
      ],
    };
  },
};
