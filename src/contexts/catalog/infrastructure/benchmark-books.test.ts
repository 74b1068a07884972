import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/support/app.ts';
import { anAuthor } from '../../../../test/support/catalog.ts';
import type { App } from '../../../app.ts';
import { Id } from '../../../shared/domain/id.ts';
import { AggregateTracker, UnitOfWorkScope } from '../../../shared/infrastructure/unit-of-work.ts';
import { insertBenchmarkBooks } from './benchmark-books.ts';
import { KyselyBookRepository } from './kysely-book-repository.ts';

let app: App;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.close());

describe('insertBenchmarkBooks', () => {
  it('bulk-loads valid, searchable books that the API serves like any other, and can run again', async () => {
    const authors = [
      (await app.bus.execute(anAuthor())).id,
      (await app.bus.execute(anAuthor({ firstName: 'Second' }))).id,
    ];
    const started = performance.now();
    const made = await insertBenchmarkBooks(app.database.db, app.tools, 6_000, { authorIds: authors });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(made).toEqual({ books: 6_000, firstIsbn: expect.stringMatching(/^979\d{10}$/) });

    const { rows } = await sql<{ id: string }>`select id from catalog.books order by id`.execute(
      app.database.db,
    );
    expect(rows).toHaveLength(6_000);
    // Every row is a book the domain accepts: a sample goes through the repository and its value objects.
    const books = new KyselyBookRepository(
      UnitOfWorkScope.immediate(app.database.db),
      new AggregateTracker(),
    );
    for (let i = 0; i < rows.length; i += 97) {
      const book = await books.byId(Id.of(rows[i]!.id));
      expect(book?.authorIds).toHaveLength(1);
    }

    const oneTitle = await app.http.inject({ method: 'GET', url: '/api/v1/books?title=no.%204242' });
    expect(oneTitle.json().items.map((b: { title: string }) => b.title)).toEqual([
      expect.stringMatching(/, no\. 4242$/),
    ]);
    const { rows: rivers } = await sql<{ n: string }>`
      select count(*) as n from catalog.books where title ilike '%river%'`.execute(app.database.db);
    expect(Number(rivers[0]?.n)).toBeGreaterThan(300);

    const author = await app.http.inject({ method: 'GET', url: `/api/v1/authors/${authors[0]}` });
    expect(author.json().books).toHaveLength(3_000);
    const byAuthor = await app.http.inject({
      method: 'GET',
      url: `/api/v1/books?author_id=${authors[1]}&limit=100`,
    });
    expect(byAuthor.json().items).toHaveLength(100);
    // Each book's view names its author, as a book's own write would have shown it.
    expect(byAuthor.json().items[0].authors).toEqual([{ id: authors[1]!.toString(), name: 'Second Evans' }]);

    const again = await insertBenchmarkBooks(app.database.db, app.tools, 10);
    expect(again.books).toBe(10);
    const { rows: isbns } = await sql<{
      n: string;
    }>`select count(distinct isbn) as n from catalog.books`.execute(app.database.db);
    expect(isbns[0]?.n).toBe('6010');
    // The load ends merged: nothing is left in the title index's pending list for searches to read.
    expect(await cleanPendingList('catalog.books_title_trgm')).toBe(0);
  });

  it('keeps the GIN pending lists at most 64 kB, however many books arrive between vacuums', async () => {
    // 3,000 books one INSERT apart would leave about 1 MB pending at the default 4 MB limit.
    for (let batch = 0; batch < 30; batch += 1) {
      await sql`
        insert into catalog.books (id, title, isbn, pages, price_amount, price_currency, publication_year,
                                   created_at, updated_at, version)
        select 900000000000 + ${batch * 100} + g, 'A Pending Title of Lisbon, no. ' || g, '978' || lpad((${batch * 100} + g)::text, 10, '0'),
               100, 1000, 'KRW', 2000, now(), now(), 1
          from generate_series(1, 100) as g`.execute(app.database.db);
    }
    // Pages merged by a clean-up: what a search would have had to read (64 kB = 8 pages).
    expect(await cleanPendingList('catalog.books_title_trgm')).toBeLessThanOrEqual(8);
    expect(await cleanPendingList('catalog.books_author_ids')).toBeLessThanOrEqual(8);
  });
});

async function cleanPendingList(index: string): Promise<number> {
  const { rows } = await sql<{ pages: number }>`
    select gin_clean_pending_list(${index}::regclass) as pages`.execute(app.database.db);
  return Number(rows[0]?.pages);
}
