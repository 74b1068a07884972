import type { AccessTokens } from '../../../shared/application/access-tokens.ts';
import type { Mailer } from '../../../shared/application/mailer.ts';
import type { UnitOfWorkFactory } from '../../../shared/application/unit-of-work.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { MemberRepository } from '../domain/member-repository.ts';
import type { PasswordHasher } from '../domain/password.ts';
import type { PasswordResetRepository } from '../domain/password-reset-repository.ts';
import type { SessionRepository } from '../domain/session-repository.ts';
import type { OpaqueTokens } from './opaque-tokens.ts';

/** The repositories a unit of work of the accounts context hands out, bound to its transaction. */
export interface AccountsRepositories {
  readonly members: MemberRepository;
  readonly sessions: SessionRepository;
  readonly passwordResets: PasswordResetRepository;
}

export interface AccountsSettings {
  /** How long a refresh token may wait to be exchanged (REFRESH_TOKEN_TTL). */
  readonly refreshTokenLifetimeSeconds: number;
  /** Where the service is reached from outside (PUBLIC_URL), for links in mails. */
  readonly publicUrl: string;
}

/** What the accounts use cases need, wired by the context's index.ts (or by a test, with fakes). */
export interface AccountsDependencies {
  readonly uow: UnitOfWorkFactory<AccountsRepositories>;
  readonly hasher: PasswordHasher;
  readonly tools: DomainTools;
  readonly tokens: OpaqueTokens;
  readonly accessTokens: AccessTokens;
  readonly mailer: Mailer;
  readonly settings: AccountsSettings;
}
