import type { RateLimiter } from '../../shared/application/rate-limiter.ts';
import type { BoundedContext, EventSubscription } from '../../shared/infrastructure/bounded-context.ts';
import {
  type AggregateTracker,
  kyselyUnitOfWorkFactory,
  type UnitOfWorkScope,
} from '../../shared/infrastructure/unit-of-work.ts';
import { accountsCommandHandlers, accountsCommandTypes } from './application/commands.ts';
import type {
  AccountsDependencies,
  AccountsRepositories,
  AccountsSettings,
} from './application/dependencies.ts';
import { sendEmailChangedNotice, sendWelcomeMail } from './application/send-member-mails.ts';
import { sendPasswordResetMail } from './application/send-password-reset-mail.ts';
import type { PasswordHasher } from './domain/password.ts';
import { type AuthRateLimits, authRoutes } from './http/auth-routes.ts';
import { accountsErrorStatuses } from './http/error-statuses.ts';
import { memberRoutes } from './http/routes.ts';
import { AccountsRetention } from './infrastructure/accounts-retention.ts';
import { Argon2PasswordHasher } from './infrastructure/argon2-password-hasher.ts';
import { CryptoOpaqueTokens } from './infrastructure/crypto-opaque-tokens.ts';
import { KyselyMemberQueries } from './infrastructure/kysely-member-queries.ts';
import { KyselyMemberRepository } from './infrastructure/kysely-member-repository.ts';
import { KyselyPasswordResetRepository } from './infrastructure/kysely-password-reset-repository.ts';
import { KyselySessionRepository } from './infrastructure/kysely-session-repository.ts';

export interface AccountsOptions {
  readonly settings: AccountsSettings;
  /** Counts sign-in and recovery attempts (memory or database store, chosen by the composition root). */
  readonly limiter: RateLimiter;
  readonly limits: AuthRateLimits;
  /** Replaces Argon2id (tests use a fast fake). */
  readonly hasher?: PasswordHasher;
  /** At most this many Argon2id hashes at once (PASSWORD_HASH_CONCURRENCY). */
  readonly hashConcurrency: number;
}

/** The accounts context: members, their sessions (refresh token families) and password resets. */
export const accounts: BoundedContext<AccountsOptions> = {
  name: 'accounts',
  migrations: new URL('./infrastructure/migrations/', import.meta.url),
  errorStatuses: accountsErrorStatuses,
  commandTypes: accountsCommandTypes,
  tags: [
    { name: 'members', description: 'Members: sign-up, profile, email, password, deletion' },
    {
      name: 'auth',
      description: 'OAuth2 tokens (password and refresh_token grants), sign-out, password recovery',
    },
  ],

  start(
    { db, readDb, outbox, tools, bus, logger, accessTokens, auth, mailer, publicUrl, unitOfWorkObserver },
    options,
  ) {
    const repositories = (scope: UnitOfWorkScope, tracker: AggregateTracker): AccountsRepositories => ({
      members: new KyselyMemberRepository(scope, tracker),
      sessions: new KyselySessionRepository(scope, tracker),
      passwordResets: new KyselyPasswordResetRepository(scope, tracker),
    });
    const deps: AccountsDependencies = {
      uow: kyselyUnitOfWorkFactory(db, repositories, outbox, unitOfWorkObserver('accounts')),
      hasher:
        options.hasher ??
        new Argon2PasswordHasher(options.hashConcurrency, {
          onThreadStopped: (error) => logger.error({ err: error }, 'a password hashing thread stopped'),
        }),
      tools,
      tokens: new CryptoOpaqueTokens(),
      accessTokens,
      mailer,
      settings: options.settings,
    };
    bus.register(accountsCommandHandlers(deps));
    const queries = new KyselyMemberQueries(readDb);
    const mails = { mailer, publicUrl };
    const subscriptions: EventSubscription[] = [
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
      {
        event: 'accounts.password_recovery_requested',
        subscriber: 'accounts.send_password_reset_mail',
        // A unit of work made on the delivery's transaction joins it: the reset token is stored
        // with the "delivered" mark, or not at all.
        handle: (event, tx) =>
          sendPasswordResetMail(event, { ...deps, uow: kyselyUnitOfWorkFactory(tx, repositories, outbox) }),
      },
    ];
    return {
      routes: async (app) => {
        await memberRoutes(app, {
          bus,
          queries,
          auth,
          limiter: options.limiter,
          passwordChecks: options.limits.passwordChangePerMember,
        });
        await authRoutes(app, { bus, limiter: options.limiter, limits: options.limits });
      },
      subscriptions,
      housekeeping: [new AccountsRetention(tools.clock)],
      // The dummy hash is made before the app serves, rather than at the first sign-in for an
      // unknown email, which would otherwise wait for two hashes (this one, then its verification)
      // and answer later than a known email does. It is also the first hash: a hashing thread that
      // cannot start (its native module did not load) stops the start instead of every sign-in.
      ready: async () => {
        await deps.hasher.dummyHash();
      },
    };
  },
};
