import type { UnitOfWorkFactory } from '../../../shared/application/unit-of-work.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { MemberRepository } from '../domain/member-repository.ts';
import type { PasswordHasher } from '../domain/password.ts';

/** The repositories a unit of work of the accounts context hands out, bound to its transaction. */
export interface AccountsRepositories {
  readonly members: MemberRepository;
}

/** What the accounts use cases need, wired by the context's index.ts (or by a test, with fakes). */
export interface AccountsDependencies {
  readonly uow: UnitOfWorkFactory<AccountsRepositories>;
  readonly hasher: PasswordHasher;
  readonly tools: DomainTools;
}
