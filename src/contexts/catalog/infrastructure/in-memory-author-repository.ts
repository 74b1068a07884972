import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import { Author, type AuthorPrimitives } from '../domain/author.ts';
import type { AuthorRepository } from '../domain/author-repository.ts';

/** The author repository kept in memory: a fake for use-case tests, held to the same contract tests. */
export class InMemoryAuthorRepository implements AuthorRepository {
  readonly #table: InMemoryTable<AuthorPrimitives>;
  readonly #tracker: AggregateTracker;

  constructor(table: InMemoryTable<AuthorPrimitives>, tracker: AggregateTracker) {
    this.#table = table;
    this.#tracker = tracker;
  }

  async add(author: Author): Promise<void> {
    this.#table.set(author.id.toString(), { ...author.toPrimitives(), version: 1 });
    author.markSaved(1);
    this.#tracker.track(author);
  }

  async save(author: Author): Promise<void> {
    const stored = this.#table.rows.get(author.id.toString());
    if (stored === undefined || stored.version !== author.version) {
      throw new ConcurrencyError('author', author.id.toString());
    }
    this.#table.set(author.id.toString(), { ...author.toPrimitives(), version: author.version + 1 });
    author.markSaved(author.version + 1);
    this.#tracker.track(author);
  }

  async byId(id: Id): Promise<Author | undefined> {
    const row = this.#table.rows.get(id.toString());
    return row && this.#tracker.track(Author.fromPrimitives(row));
  }

  async exists(id: Id): Promise<boolean> {
    return this.#table.rows.has(id.toString());
  }
}
