import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueIsbn } from '../../../../test/support/catalog.ts';
import { onServer, openTestDatabase } from '../../../../test/support/database.ts';
import { type RepositorySubject, repositorySubjects } from '../../../../test/support/repository-subjects.ts';
import { FixedClock } from '../../../shared/domain/clock.ts';
import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import { Id, SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import { Outbox } from '../../../shared/infrastructure/outbox.ts';
import { kyselyUnitOfWorkFactory } from '../../../shared/infrastructure/unit-of-work.ts';
import type { CatalogRepositories } from '../application/dependencies.ts';
import { Age } from '../domain/age.ts';
import { Author, type AuthorPrimitives } from '../domain/author.ts';
import { Biography } from '../domain/biography.ts';
import { Book, type BookPrimitives } from '../domain/book.ts';
import { IsbnTakenError } from '../domain/errors.ts';
import { Isbn } from '../domain/isbn.ts';
import { Money } from '../domain/money.ts';
import { PageCount } from '../domain/page-count.ts';
import { PersonName } from '../domain/person-name.ts';
import { PublicationYear } from '../domain/publication-year.ts';
import { Title } from '../domain/title.ts';
import { catalogRepositories } from '../index.ts';
import { InMemoryAuthorRepository } from './in-memory-author-repository.ts';
import { InMemoryBookRepository } from './in-memory-book-repository.ts';

type Subject = RepositorySubject<CatalogRepositories>;

const clock = new FixedClock('2026-06-01T10:00:00.000Z');
const tools: DomainTools = { clock, ids: new SnowflakeIdGenerator(6, clock) };

function newBook(isbn = uniqueIsbn()): Book {
  return Book.add(
    {
      title: Title.parse('Refactoring'),
      isbn: Isbn.parse(isbn),
      pages: PageCount.of(448),
      // Above 2^53 would not be exact as a JS number; the column and the aggregate keep bigints.
      price: Money.of(999_999_999_999_999n, 'USD'),
      publicationYear: PublicationYear.of(1999, clock.now()),
    },
    tools,
  );
}

function newAuthor(): Author {
  return Author.add(
    { name: PersonName.of('Martin', 'Fowler'), age: Age.of(62), biography: Biography.parse('Writes.') },
    tools,
  );
}

const subjects = repositorySubjects<CatalogRepositories>({
  inMemory: () => {
    const books = new InMemoryTable<BookPrimitives | undefined>();
    const authors = new InMemoryTable<AuthorPrimitives>();
    return {
      tables: [books, authors],
      repositories: (tracker) => ({
        books: new InMemoryBookRepository(books, tracker),
        authors: new InMemoryAuthorRepository(authors, tracker),
      }),
    };
  },
  kysely: catalogRepositories,
});

for (const [name, make] of Object.entries(subjects)) {
  describe(`catalog repositories + unit of work: ${name}`, () => {
    let subject: Subject;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(() => subject.close());

    it('stores a book and reads it back equal, authors in order and the price exact', async () => {
      const book = newBook();
      await subject.uow().run(({ books }) => books.add(book));
      const [first, second] = [Id.of('3001'), Id.of('3000')];
      await subject.uow().run(async ({ books }) => {
        const loaded = (await books.byId(book.id))!;
        loaded.addAuthor(first, tools);
        loaded.addAuthor(second, tools);
        await books.save(loaded);
      });
      const loaded = await subject.uow().run(({ books }) => books.byId(book.id));
      expect(loaded?.toPrimitives()).toEqual({
        ...book.toPrimitives(),
        author_ids: [first, second],
        version: 2,
      });
      expect(loaded?.details.price.amount).toBe(999_999_999_999_999n);
    });

    it('refuses a second book with one isbn, on add and on save, and keeps the first', async () => {
      const isbn = uniqueIsbn();
      const first = newBook(isbn);
      await subject.uow().run(({ books }) => books.add(first));
      await expect(subject.uow().run(({ books }) => books.add(newBook(isbn)))).rejects.toThrow(
        IsbnTakenError,
      );
      const other = newBook();
      await subject.uow().run(({ books }) => books.add(other));
      await expect(
        subject.uow().run(async ({ books }) => {
          const loaded = (await books.byId(other.id))!;
          loaded.revise({ isbn: Isbn.parse(isbn) }, tools);
          await books.save(loaded);
        }),
      ).rejects.toThrow(IsbnTakenError);
      expect((await subject.uow().run(({ books }) => books.byId(other.id)))?.details.isbn.value).not.toBe(
        isbn,
      );
    });

    it('refuses to save or remove a book someone else saved since it was loaded', async () => {
      const book = newBook();
      await subject.uow().run(({ books }) => books.add(book));
      const stale = (await subject.uow().run(({ books }) => books.byId(book.id)))!;
      await subject.uow().run(async ({ books }) => {
        const fresh = (await books.byId(book.id))!;
        fresh.revise({ title: Title.parse('First writer') }, tools);
        await books.save(fresh);
      });
      stale.revise({ title: Title.parse('Second writer') }, tools);
      await expect(subject.uow().run(({ books }) => books.save(stale))).rejects.toThrow(ConcurrencyError);
      stale.delete(tools);
      await expect(subject.uow().run(({ books }) => books.remove(stale))).rejects.toThrow(ConcurrencyError);
      expect((await subject.uow().run(({ books }) => books.byId(book.id)))?.details.title.value).toBe(
        'First writer',
      );
    });

    it('removes a book with its events in the outbox, and puts it back when the work fails', async () => {
      const kept = newBook();
      const removed = newBook();
      await subject.uow().run(async ({ books }) => {
        await books.add(kept);
        await books.add(removed);
      });
      const before = (await subject.outboxNames()).length;
      await expect(
        subject.uow().run(async ({ books }) => {
          const loaded = (await books.byId(kept.id))!;
          loaded.delete(tools);
          await books.remove(loaded);
          throw new Error('the command failed after removing');
        }),
      ).rejects.toThrow('the command failed');
      await subject.uow().run(async ({ books }) => {
        const loaded = (await books.byId(removed.id))!;
        loaded.delete(tools);
        await books.remove(loaded);
      });
      expect(await subject.uow().run(({ books }) => books.byId(kept.id))).toBeDefined();
      expect(await subject.uow().run(({ books }) => books.byId(removed.id))).toBeUndefined();
      expect((await subject.outboxNames()).slice(before)).toEqual(['catalog.book_deleted']);
    });

    it('stores an author with what it knows of each book, and saves later news', async () => {
      const author = newAuthor();
      await subject.uow().run(({ authors }) => authors.add(author));
      expect(await subject.uow().run(({ authors }) => authors.exists(author.id))).toBe(true);
      expect(await subject.uow().run(({ authors }) => authors.exists(Id.of('77')))).toBe(false);
      const [a, b] = [Id.of('4001'), Id.of('4002')];
      for (const [book, version, listed] of [
        [a, 2, true],
        [b, 2, true],
        [a, 3, false],
        [b, 1, false],
      ] as const) {
        await subject.uow().run(async ({ authors }) => {
          const loaded = (await authors.byId(author.id))!;
          const changed = listed ? loaded.listBook(book, version) : loaded.unlistBook(book, version);
          if (changed) await authors.save(loaded);
        });
      }
      const loaded = (await subject.uow().run(({ authors }) => authors.byId(author.id)))!;
      expect(loaded.bookIds).toEqual([b]);
      expect(loaded.toPrimitives()).toMatchObject({
        first_name: 'Martin',
        biography: 'Writes.',
        version: 4,
        bibliography: [
          { book_id: a, book_version: 3, listed: false },
          { book_id: b, book_version: 2, listed: true },
        ],
      });
    });

    it('refuses to save an author someone else saved since it was loaded', async () => {
      const author = newAuthor();
      await subject.uow().run(({ authors }) => authors.add(author));
      const stale = (await subject.uow().run(({ authors }) => authors.byId(author.id)))!;
      await subject.uow().run(async ({ authors }) => {
        const fresh = (await authors.byId(author.id))!;
        fresh.listBook(Id.of('5001'), 2);
        await authors.save(fresh);
      });
      stale.update({ age: Age.of(63) }, tools);
      await expect(subject.uow().run(({ authors }) => authors.save(stale))).rejects.toThrow(ConcurrencyError);
    });
  });
}

describe.runIf(onServer)('concurrent writers on the PostgreSQL server', () => {
  it('lets one of five concurrent books with one isbn in; the others get IsbnTakenError', async () => {
    const database = await openTestDatabase();
    try {
      const uow = kyselyUnitOfWorkFactory(database.db, catalogRepositories, new Outbox());
      const isbn = uniqueIsbn();
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => uow().run(({ books }) => books.add(newBook(isbn)))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(IsbnTakenError);
      }
    } finally {
      await database.dispose();
    }
  });

  it('makes two concurrent deliveries for one author take turns: both books are listed, no conflict', async () => {
    const database = await openTestDatabase();
    try {
      const uow = kyselyUnitOfWorkFactory(database.db, catalogRepositories, new Outbox());
      const author = newAuthor();
      await uow().run(({ authors }) => authors.add(author));
      // Each holds the author a while between load and save: without the row lock, both would
      // load version 1 and the second save would fail the version check.
      const deliver = (bookId: string) =>
        uow().run(async ({ authors }) => {
          const loaded = (await authors.byId(author.id))!;
          await new Promise((resolve) => setTimeout(resolve, 200));
          loaded.listBook(Id.of(bookId), 2);
          await authors.save(loaded);
        });
      await Promise.all([deliver('6001'), deliver('6002')]);
      const stored = (await uow().run(({ authors }) => authors.byId(author.id)))!;
      expect(stored.bookIds.map(String)).toEqual(['6001', '6002']);
      expect(stored.version).toBe(3);
    } finally {
      await database.dispose();
    }
  });
});
