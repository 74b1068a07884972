import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.ts';
import { catalogClient } from '../../../test/support/catalog-http.ts';
import type { App } from '../../app.ts';
import { seedDemo } from '../../seed.ts';
import { Id } from '../../shared/domain/id.ts';
import { DEMO_AUTHORS, DEMO_BOOKS, seedCatalog } from './demo-catalog.ts';

let app: App;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.close());

async function counts() {
  const { rows } = await sql<{ books: string; authors: string; links: string; events: string }>`
    select (select count(*) from catalog.books) as books,
           (select count(*) from catalog.authors) as authors,
           (select coalesce(sum(cardinality(author_ids)), 0) from catalog.books) as links,
           (select count(*) from shared.outbox where name like 'catalog.%') as events`.execute(
    app.database.db,
  );
  const row = rows[0]!;
  return {
    books: Number(row.books),
    authors: Number(row.authors),
    links: Number(row.links),
    events: Number(row.events),
  };
}

describe('seedCatalog', () => {
  it('builds 200 books and 50 authors, every book naming its authors, once', async () => {
    const lines = await seedCatalog(app, { reset: false });
    expect(lines.join('\n')).toMatch(/200 books and 50 authors added/);
    const links = DEMO_BOOKS.reduce((sum, book) => sum + book.authors.length, 0);
    expect(await counts()).toMatchObject({ books: 200, authors: 50, links });
    expect(DEMO_BOOKS.every((book) => book.authors.length >= 1 && book.authors.length <= 3)).toBe(true);
    const before = await counts();
    expect(await seedCatalog(app, { reset: false })).toEqual([
      'Demo catalog: already there; nothing changed.',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('lets every author list its books once the relay has delivered the events', async () => {
    await catalogClient(app).relay();
    const { rows } = await sql<{ listed: string }>`
      select count(*) as listed from catalog.author_bibliography where listed`.execute(app.database.db);
    expect(Number(rows[0]?.listed)).toBe((await counts()).links);
    const page = (await app.http.inject({ method: 'GET', url: '/api/v1/authors?name=ada%20kova' })).json();
    const ada = (await app.http.inject({ method: 'GET', url: `/api/v1/authors/${page.items[0].id}` })).json();
    const expected = DEMO_BOOKS.filter((book) => book.authors.includes(0)).map((book) => book.title);
    expect(ada.books.map((b: { title: string }) => b.title).sort()).toEqual(expected.sort());
  });

  it('on reset, builds the books again and restores the demo authors without making more', async () => {
    const [first] = DEMO_AUTHORS;
    const { rows } = await sql<{ id: string }>`
      select id from catalog.authors where first_name = ${first!.firstName} and last_name = ${first!.lastName}`.execute(
      app.database.db,
    );
    await app.bus.execute({
      type: 'catalog.update_author',
      authorId: Id.of(rows[0]!.id),
      age: 150,
    });
    const oldIds = (await sql<{ id: string }>`select id from catalog.books`.execute(app.database.db)).rows;
    await seedCatalog(app, { reset: true });
    expect(await counts()).toMatchObject({ books: 200, authors: 50 });
    const newIds = (await sql<{ id: string }>`select id from catalog.books`.execute(app.database.db)).rows;
    expect(newIds.some((row) => oldIds.some((old) => old.id === row.id))).toBe(false);
    const { rows: restored } = await sql<{ age: number }>`
      select age from catalog.authors where id = ${rows[0]!.id}`.execute(app.database.db);
    expect(restored[0]?.age).toBe(first!.age);
  });

  it('is part of npm run cli -- seed', async () => {
    const fresh = await testApp();
    try {
      const report = await seedDemo(fresh, { reset: false });
      expect(report.lines.join('\n')).toMatch(/Demo catalog: 200 books and 50 authors added/);
    } finally {
      await fresh.close();
    }
  });
});
