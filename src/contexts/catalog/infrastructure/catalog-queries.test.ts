import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBook, anAuthor, testRelay } from '../../../../test/support/catalog.ts';
import { freshDatabase, onServer, openTestDatabase } from '../../../../test/support/database.ts';
import { MessageBus } from '../../../shared/application/message-bus.ts';
import { FixedClock } from '../../../shared/domain/clock.ts';
import { Id, SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { openDatabase } from '../../../shared/infrastructure/database.ts';
import { Outbox } from '../../../shared/infrastructure/outbox.ts';
import { kyselyUnitOfWorkFactory } from '../../../shared/infrastructure/unit-of-work.ts';
import { catalogCommandHandlers } from '../application/commands.ts';
import { catalogRepositories, catalogSubscriptions } from '../index.ts';
import { insertBenchmarkBooks } from './benchmark-books.ts';
import { KyselyCatalogQueries } from './kysely-catalog-queries.ts';

type Db = Awaited<ReturnType<typeof openTestDatabase>>;

let database: Db;
let bus: MessageBus;
let queries: KyselyCatalogQueries;
let relay: ReturnType<typeof testRelay>;

beforeAll(async () => {
  database = await openTestDatabase();
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  const outbox = new Outbox();
  bus = new MessageBus();
  bus.register(
    catalogCommandHandlers({
      uow: kyselyUnitOfWorkFactory(database.db, catalogRepositories, outbox),
      tools: { clock, ids: new SnowflakeIdGenerator(7, clock) },
    }),
  );
  queries = new KyselyCatalogQueries(database.db);
  relay = testRelay(database.db, catalogSubscriptions(outbox));
});
afterAll(() => database.dispose());

const name = onServer ? 'the PostgreSQL server' : 'PGlite';

async function bookWithAuthors(title: string, ...authors: { first: string; last: string }[]) {
  const book = (await bus.execute(aBook({ title }))).id;
  const ids: Id[] = [];
  for (const a of authors) {
    const id = (await bus.execute(anAuthor({ firstName: a.first, lastName: a.last }))).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: id });
    ids.push(id);
  }
  return { book, authors: ids };
}

async function allPages<T extends { id: string }>(
  fetch: (after?: Id) => Promise<{ items: T[]; next_cursor: string | null }>,
) {
  const seen: T[] = [];
  let after: Id | undefined;
  for (;;) {
    const page = await fetch(after);
    seen.push(...page.items);
    if (page.next_cursor === null) return seen;
    after = Id.of(page.items[page.items.length - 1]!.id);
  }
}

describe(`answers to adding, against the read model on ${name}`, () => {
  it('are what the read model answers, revision included (a view that shows nothing else: the digest of an empty list)', async () => {
    const book = await bus.execute(aBook({ title: 'Alone' }));
    const author = await bus.execute(anAuthor({ firstName: 'Solo' }));
    const { id: _b, ...bookAnswer } = book;
    const { id: _a, ...authorAnswer } = author;
    expect(await queries.book(book.id)).toEqual(bookAnswer);
    expect(await queries.author(author.id)).toEqual(authorAnswer);
    // The revision ETags were made from before the answers were built in the application.
    const emptyDigest = createHash('sha256').update('').digest('base64url').slice(0, 16);
    expect(book.revision).toBe(`1.${emptyDigest}`);
    expect(author.revision).toBe(`1.${emptyDigest}`);
  });
});

describe(`catalog read models on ${name}`, () => {
  it('shows a book with its authors as "first last", in the order they were added', async () => {
    const { book, authors } = await bookWithAuthors(
      'Patterns of Enterprise Application Architecture',
      { first: 'Martin', last: 'Fowler' },
      { first: 'David', last: 'Rice' },
    );
    const found = await queries.book(book);
    expect(found?.view).toMatchObject({
      id: book.toString(),
      title: 'Patterns of Enterprise Application Architecture',
      price: { amount: 45_000, currency: 'KRW' },
      publication_year: 2003,
      authors: [
        { id: authors[0]!.toString(), name: 'Martin Fowler' },
        { id: authors[1]!.toString(), name: 'David Rice' },
      ],
    });
    expect(found?.version).toBe(3);
    expect(await queries.book(Id.of('12345'))).toBeUndefined();
  });

  it('lists each book with its own authors, in the order they were added, as its own view shows them', async () => {
    const two = await bookWithAuthors(
      'Pagejoin Refactoring',
      { first: 'Oma', last: 'Quistrel' },
      { first: 'Ivo', last: 'Brandulf' },
    );
    const none = await bookWithAuthors('Pagejoin Draft');
    const one = await bookWithAuthors('Pagejoin Domain-Driven Design', { first: 'Ysolde', last: 'Marrow' });
    // An author two books share, added to the second after its own.
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: one.book, authorId: two.authors[1]! });
    const views = await Promise.all(
      [two, none, one].map(async ({ book }) => (await queries.book(book))!.view),
    );

    const page = await queries.books({ title: 'pagejoin' }, { limit: 10 });
    expect(page.items).toEqual(views);
    expect(page.items.map((view) => view.authors.map((author) => author.name))).toEqual([
      ['Oma Quistrel', 'Ivo Brandulf'],
      [],
      ['Ysolde Marrow', 'Ivo Brandulf'],
    ]);
    const onePerPage = await allPages((after) =>
      queries.books({ title: 'pagejoin' }, { limit: 1, ...(after ? { after } : {}) }),
    );
    expect(onePerPage).toEqual(views);
  });

  it("changes a book's revision when one of its authors is renamed, and only then", async () => {
    const { book, authors } = await bookWithAuthors('Revisions', { first: 'Ann', last: 'Author' });
    const before = (await queries.book(book))!;
    expect((await queries.book(book))!.revision).toBe(before.revision);
    await bus.execute({ type: 'catalog.update_author', authorId: authors[0]!, age: 70 });
    expect((await queries.book(book))!.revision).toBe(before.revision);
    await bus.execute({ type: 'catalog.update_author', authorId: authors[0]!, firstName: 'Anne' });
    const after = (await queries.book(book))!;
    expect(after.view.authors[0]?.name).toBe('Anne Author');
    expect(after.version).toBe(before.version);
    expect(after.revision).not.toBe(before.revision);
  });

  it('shows an author with the books it lists once the events are handled; a deleted book vanishes at once', async () => {
    const { book, authors } = await bookWithAuthors('Listed Later', { first: 'Lee', last: 'Later' });
    const second = (await bus.execute(aBook({ title: 'Second Book' }))).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: second, authorId: authors[0]! });
    expect((await queries.author(authors[0]!))?.view.books).toEqual([]);
    await relay.run();
    const listed = (await queries.author(authors[0]!))!;
    expect(listed.view).toMatchObject({ first_name: 'Lee', last_name: 'Later', age: 62, biography: null });
    expect(listed.view.books).toEqual([
      { id: book.toString(), title: 'Listed Later' },
      { id: second.toString(), title: 'Second Book' },
    ]);
    await bus.execute({ type: 'catalog.update_book', bookId: second, title: 'Second Book, 2nd ed.' });
    const retitled = (await queries.author(authors[0]!))!;
    expect(retitled.view.books[1]?.title).toBe('Second Book, 2nd ed.');
    expect(retitled.revision).not.toBe(listed.revision);
    await bus.execute({ type: 'catalog.delete_book', bookId: book });
    expect((await queries.author(authors[0]!))?.view.books.map((b) => b.id)).toEqual([second.toString()]);
  });

  it('filters books by title ignoring case, taking % and _ and \\ literally', async () => {
    const titles = [
      '100% Pure Design',
      '100 Percent Fiction',
      'Snake_Case Style',
      'SnakeXCase Style',
      'Back\\slash',
    ];
    for (const title of titles) await bus.execute(aBook({ title }));
    const titlesFor = async (text: string) =>
      (
        await allPages((after) => queries.books({ title: text }, { limit: 2, ...(after ? { after } : {}) }))
      ).map((b) => b.title);
    expect(await titlesFor('100%')).toEqual(['100% Pure Design']);
    expect(await titlesFor('snake_case')).toEqual(['Snake_Case Style']);
    expect(await titlesFor('K\\S')).toEqual(['Back\\slash']);
    expect(await titlesFor('PURE')).toEqual(['100% Pure Design']);
    expect(await titlesFor('%')).toEqual(['100% Pure Design']);
  });

  it('filters books by author and pages through them exactly once, in id order', async () => {
    const author = (await bus.execute(anAuthor({ firstName: 'Prolific', lastName: 'Writer' }))).id;
    const written: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const book = (await bus.execute(aBook({ title: `Volume ${i}` }))).id;
      await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
      written.push(book.toString());
    }
    await bus.execute(aBook({ title: 'Volume by someone else' }));
    const seen = await allPages((after) =>
      queries.books({ authorId: author }, { limit: 3, ...(after ? { after } : {}) }),
    );
    expect(seen.map((b) => b.id)).toEqual(written);
    expect(seen[0]?.authors).toEqual([{ id: author.toString(), name: 'Prolific Writer' }]);
    const everything = await allPages((after) =>
      queries.books({}, { limit: 4, ...(after ? { after } : {}) }),
    );
    expect(new Set(everything.map((b) => b.id)).size).toBe(everything.length);
    expect(everything.map((b) => BigInt(b.id))).toEqual(
      [...everything.map((b) => BigInt(b.id))].sort((a, b) => (a < b ? -1 : 1)),
    );
  });

  it('filters authors by a part of "first last", ignoring case', async () => {
    await bus.execute(anAuthor({ firstName: 'Rebecca', lastName: 'Wirfs-Brock' }));
    await bus.execute(anAuthor({ firstName: 'Kent', lastName: 'Beck' }));
    const namesFor = async (text: string) =>
      (
        await allPages((after) => queries.authors({ name: text }, { limit: 1, ...(after ? { after } : {}) }))
      ).map((a) => `${a.first_name} ${a.last_name}`);
    expect(await namesFor('wirfs')).toEqual(['Rebecca Wirfs-Brock']);
    expect(await namesFor('REBECCA W')).toEqual(['Rebecca Wirfs-Brock']);
    expect(await namesFor('kent')).toEqual(['Kent Beck']);
    expect(await namesFor('beck')).toEqual(['Kent Beck']);
    expect(await namesFor('nobody at all')).toEqual([]);
  });
});

describe(`the list filters can use their indexes on ${name}`, () => {
  /** The plan PostgreSQL picks when a sequential scan is priced out, as it would be at 100,000 rows. */
  async function planOf(db: Kysely<unknown>, query: ReturnType<typeof sql>): Promise<string> {
    return db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(tx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it('finds "title contains" through the trigram index, escapes included', async () => {
    const plan = await planOf(
      database.db,
      sql`select id from catalog.books b where b.title ilike ${'%100\\% pure%'} order by b.id limit 21`,
    );
    expect(plan).toMatch(/books_title_trgm/);
  });

  it('finds "name contains" through the trigram index on "first last"', async () => {
    const plan = await planOf(
      database.db,
      sql`select id from catalog.authors a where (a.first_name || ' ' || a.last_name) ilike ${'%wirfs%'} order by a.id limit 21`,
    );
    expect(plan).toMatch(/authors_name_trgm/);
  });

  it("finds an author's books through the GIN index on author_ids", async () => {
    const plan = await planOf(
      database.db,
      sql`select id from catalog.books b where b.author_ids @> array[${'42'}]::bigint[] order by b.id limit 21`,
    );
    expect(plan).toMatch(/books_author_ids/);
  });
});

describe(`how the list statements are sent on ${name}`, () => {
  it('marks a page for the search lanes unless its text gives the trigram index nothing sure to narrow by', async () => {
    const fresh = await freshDatabase();
    const statements: string[] = [];
    const echoing = await openDatabase<unknown>(fresh.target, {
      echo: (event) => statements.push(event.sql),
      ...(fresh.pglite ? { pglite: fresh.pglite } : {}),
    });
    const sentFor = async (list: (queries: KyselyCatalogQueries) => Promise<unknown>) => {
      statements.length = 0;
      await list(new KyselyCatalogQueries(echoing.db));
      expect(statements).toHaveLength(1);
      return statements[0]!.startsWith('/* prepared search */ ');
    };
    try {
      expect(await sentFor((q) => q.books({ title: '4242' }, { limit: 5 }))).toBe(true);
      expect(await sentFor((q) => q.books({}, { limit: 5, after: Id.of('7') }))).toBe(true);
      expect(await sentFor((q) => q.books({ authorId: Id.of('7') }, { limit: 5 }))).toBe(true);
      expect(await sentFor((q) => q.authors({ name: 'beck' }, { limit: 5 }))).toBe(true);
      expect(await sentFor((q) => q.books({ title: 'ab' }, { limit: 5 }))).toBe(false);
      expect(await sentFor((q) => q.books({ title: 'no. 42', authorId: Id.of('7') }, { limit: 5 }))).toBe(
        false,
      );
      expect(await sentFor((q) => q.authors({ name: 'Léa' }, { limit: 5 }))).toBe(false);
    } finally {
      await echoing.close();
      await fresh.dispose();
    }
  });
});

describe.runIf(onServer)('a search page under its generic plan (PostgreSQL server)', () => {
  it('narrows by the trigram index alone, the cursor a filter, not a primary-key range', async () => {
    const fresh = await freshDatabase();
    const statements: string[] = [];
    const echoing = await openDatabase<unknown>(fresh.target, {
      echo: (event) => statements.push(event.sql),
    });
    try {
      // Enough books, analyzed, for the planner to price a key range as it would in use: with
      // 30,000 the generic plan of `b.id > $2` ANDed the primary key into the bitmap (20,000: not).
      const clock = new FixedClock('2026-06-01T10:00:00.000Z');
      await insertBenchmarkBooks(echoing.db, { clock, ids: new SnowflakeIdGenerator(8, clock) }, 30_000);
      await new KyselyCatalogQueries(echoing.db).books({ title: '4242' }, { limit: 20, after: Id.of('1') });
      const [search] = statements.filter((text) => text.startsWith('/* prepared search */'));
      expect(search).toBeDefined();
      // Planned as a search lane plans it: prepared, generic (without its parameters). On a
      // connection of its own, since a lane runs no EXPLAIN; the routing to the lanes is tested
      // with the pipeline. Sequential scans priced out, as they would be at 100,000 books.
      const plan = await echoing.db.connection().execute(async (connection) => {
        await sql`set plan_cache_mode = force_generic_plan`.execute(connection);
        await sql`set enable_seqscan = off`.execute(connection);
        await sql.raw(`prepare generic_search as ${search}`).execute(connection);
        const { rows } = await sql<{
          'QUERY PLAN': string;
        }>`explain execute generic_search('%4242%', 1, 21)`.execute(connection);
        await sql`deallocate generic_search`.execute(connection);
        await sql`reset all`.execute(connection);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/books_title_trgm/);
      expect(plan).not.toMatch(/books_pkey/);
    } finally {
      await echoing.close();
      await fresh.dispose();
    }
  });
});
