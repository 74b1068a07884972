import type { UnitOfWorkFactory } from '../../../shared/application/unit-of-work.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { AuthorRepository } from '../domain/author-repository.ts';
import type { BookRepository } from '../domain/book-repository.ts';

/**
 * The repositories a catalog unit of work hands out, bound to its transaction. Both are there
 * because a command may *read* another aggregate (does this author exist?); it saves only one.
 */
export interface CatalogRepositories {
  readonly books: BookRepository;
  readonly authors: AuthorRepository;
}

/** What the catalog use cases need, wired by the context's index.ts (or by a test, with fakes). */
export interface CatalogDependencies {
  readonly uow: UnitOfWorkFactory<CatalogRepositories>;
  readonly tools: DomainTools;
}
