import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBook, anAuthor, outboxEvent } from '../../../test/support/catalog.ts';
import { onServer, openTestDatabase } from '../../../test/support/database.ts';
import { MessageBus } from '../../shared/application/message-bus.ts';
import { FixedClock } from '../../shared/domain/clock.ts';
import type { DomainEvent, Json } from '../../shared/domain/domain-event.ts';
import { type Id, SnowflakeIdGenerator } from '../../shared/domain/id.ts';
import type { AnyEventSubscription } from '../../shared/infrastructure/bounded-context.ts';
import { Outbox } from '../../shared/infrastructure/outbox.ts';
import { kyselyUnitOfWorkFactory } from '../../shared/infrastructure/unit-of-work.ts';
import { catalogCommandHandlers } from './application/commands.ts';
import { catalogRepositories, catalogSubscriptions } from './index.ts';
import { AuthorRefsRepair, showAuthorName } from './infrastructure/book-author-refs.ts';
import { KyselyCatalogQueries } from './infrastructure/kysely-catalog-queries.ts';
import type { CatalogTables } from './infrastructure/tables.ts';

type Db = Awaited<ReturnType<typeof openTestDatabase>>;

let database: Db;
let bus: MessageBus;
let queries: KyselyCatalogQueries;
let subscriptions: AnyEventSubscription[];

beforeAll(async () => {
  database = await openTestDatabase();
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  const outbox = new Outbox();
  bus = new MessageBus();
  bus.register(
    catalogCommandHandlers({
      uow: kyselyUnitOfWorkFactory(database.db, catalogRepositories, outbox),
      tools: { clock, ids: new SnowflakeIdGenerator(8, clock) },
    }),
  );
  queries = new KyselyCatalogQueries(database.db);
  subscriptions = catalogSubscriptions(outbox);
});
afterAll(() => database.dispose());

/** The stored events about one book, oldest first, as the relay reads them. */
async function eventsOf(book: Id, name: string): Promise<DomainEvent[]> {
  const { rows } = await sql<{
    id: string;
    name: string;
    aggregate_type: string;
    aggregate_id: string;
    occurred_at: Date;
    payload: Json;
  }>`select id, name, aggregate_type, aggregate_id, occurred_at, payload from shared.outbox
      where aggregate_id = ${book.toString()} and name = ${name} order by id`.execute(database.db);
  return rows.map(outboxEvent);
}

/** One delivery, as the relay makes it: the subscriber's handle inside a transaction of its own. */
async function deliver(event: DomainEvent): Promise<void> {
  const subscription = subscriptions.find((s) => s.event === event.name);
  if (subscription === undefined) throw new Error(`no subscription for ${event.name}`);
  await database.db.transaction().execute((tx) => subscription.handle(event, tx));
}

async function booksListedBy(author: Id): Promise<string[]> {
  return (await queries.author(author))!.view.books.map((b) => b.id);
}

async function authorVersion(author: Id): Promise<number> {
  return (await queries.author(author))!.version;
}

describe(`the author follows the book through the outbox (on ${onServer ? 'the PostgreSQL server' : 'PGlite'})`, () => {
  it('declares one subscription per book event the author side needs', () => {
    expect(subscriptions.map((s) => [s.event, s.subscriber])).toEqual([
      ['catalog.author_added_to_book', 'catalog.author_lists_book'],
      ['catalog.author_removed_from_book', 'catalog.author_unlists_book'],
      ['catalog.author_updated', 'catalog.books_show_author_name'],
    ]);
    // Waiting for books, it must not hold another delivery's author: it is delivered alone.
    expect(subscriptions.find((s) => s.subscriber === 'catalog.books_show_author_name')).not.toHaveProperty(
      'onlyDatabaseEffects',
    );
  });

  it('lists the book once catalog.author_added_to_book is handled, and only once if it is redelivered', async () => {
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor())).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
    expect(await booksListedBy(author)).toEqual([]);
    const [added] = await eventsOf(book, 'catalog.author_added_to_book');
    await deliver(added!);
    expect(await booksListedBy(author)).toEqual([book.toString()]);
    const version = await authorVersion(author);
    await deliver(added!);
    expect(await booksListedBy(author)).toEqual([book.toString()]);
    expect(await authorVersion(author)).toBe(version);
  });

  it('unlists the book when the author is removed from it', async () => {
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor())).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
    await bus.execute({ type: 'catalog.remove_author_from_book', bookId: book, authorId: author });
    for (const event of await eventsOf(book, 'catalog.author_added_to_book')) await deliver(event);
    for (const event of await eventsOf(book, 'catalog.author_removed_from_book')) await deliver(event);
    expect(await booksListedBy(author)).toEqual([]);
    const { rows } = await sql<{ listed: boolean }>`
      select listed from catalog.author_bibliography where author_id = ${author.toString()}`.execute(
      database.db,
    );
    expect(rows).toEqual([{ listed: false }]);
  });

  it('leaves no author listing a deleted book, even when the addition is redelivered after the deletion', async () => {
    const book = (await bus.execute(aBook())).id;
    const keeps = (await bus.execute(aBook({ title: 'Still here' }))).id;
    const [first, second] = [
      (await bus.execute(anAuthor())).id,
      (await bus.execute(anAuthor({ firstName: 'Second' }))).id,
    ];
    for (const author of [first, second]) {
      await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
    }
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: keeps, authorId: first });
    for (const event of await eventsOf(book, 'catalog.author_added_to_book')) await deliver(event);
    for (const event of await eventsOf(keeps, 'catalog.author_added_to_book')) await deliver(event);
    await bus.execute({ type: 'catalog.delete_book', bookId: book });
    for (const event of await eventsOf(book, 'catalog.author_removed_from_book')) await deliver(event);
    for (const event of await eventsOf(book, 'catalog.author_added_to_book')) await deliver(event);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from catalog.author_bibliography where book_id = ${book.toString()} and listed`.execute(
      database.db,
    );
    expect(rows[0]?.n).toBe('0');
    expect(await booksListedBy(first)).toEqual([keeps.toString()]);
    expect(await booksListedBy(second)).toEqual([]);
  });

  it('keeps the book side when a delivery fails, and the retried delivery then lists the book', async () => {
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor())).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
    const [added] = await eventsOf(book, 'catalog.author_added_to_book');
    const subscription = subscriptions.find((s) => s.event === 'catalog.author_added_to_book')!;
    await expect(
      database.db.transaction().execute(async (tx) => {
        await subscription.handle(added!, tx);
        throw new Error('the relay died before committing the delivery');
      }),
    ).rejects.toThrow('the relay died');
    expect(await booksListedBy(author)).toEqual([]);
    expect((await queries.book(book))?.view.authors.map((a) => a.id)).toEqual([author.toString()]);
    await deliver(added!);
    expect(await booksListedBy(author)).toEqual([book.toString()]);
  });

  it('refuses an event without author_id, so the relay can retry or dead-letter it', async () => {
    const [added] = await eventsOf((await bus.execute(aBook())).id, 'catalog.book_added');
    await expect(deliver({ ...added!, name: 'catalog.author_added_to_book' })).rejects.toThrow(
      /no author_id/,
    );
  });
});

describe(`a book's view shows its authors' names as they are (on ${onServer ? 'the PostgreSQL server' : 'PGlite'})`, () => {
  /** A book naming a new author (Ann Author), as stored. */
  async function bookNamingAnAuthor() {
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor({ firstName: 'Ann', lastName: 'Author' }))).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
    return { book, author };
  }
  const shown = async (book: Id) => (await queries.book(book))!;
  const namesShown = async (book: Id) => (await shown(book)).view.authors.map((a) => a.name);
  const storedRefs = async (book: Id) =>
    (
      await sql<{
        refs: Json;
      }>`select author_refs as refs from catalog.books where id = ${book.toString()}`.execute(database.db)
    ).rows[0]!.refs;
  /** Puts back a copy of the book's authors, as a write that raced a rename would have left it. */
  const leaveRefs = (book: Id, refs: Json) =>
    sql`update catalog.books set author_refs = ${JSON.stringify(refs)}::jsonb where id = ${book.toString()}`.execute(
      database.db,
    );

  it("shows a rename on a book the rename's own statement missed once catalog.author_updated is handled, and only once", async () => {
    const { book, author } = await bookNamingAnAuthor();
    const other = (await bus.execute(anAuthor({ firstName: 'Al', lastName: 'Other' }))).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: other });
    const raced = await storedRefs(book);
    await bus.execute({ type: 'catalog.update_author', authorId: author, firstName: 'Anne' });
    const renamed = await shown(book);
    // The rename's own statement patched the book: only that author's entry, in place.
    expect(renamed.view.authors.map((a) => a.name)).toEqual(['Anne Author', 'Al Other']);
    // A book save that added the author, begun before the rename and committed after it, read the old name.
    await leaveRefs(book, raced);
    expect(await namesShown(book)).toEqual(['Ann Author', 'Al Other']);

    const [updated] = await eventsOf(author, 'catalog.author_updated');
    await deliver(updated!);
    expect(await shown(book)).toEqual(renamed);
    await deliver(updated!);
    expect(await shown(book)).toEqual(renamed);
  });

  it("leaves the books' views, and their revisions, as they were when an author changes anything but the name", async () => {
    const { book, author } = await bookNamingAnAuthor();
    const before = await shown(book);
    await bus.execute({
      type: 'catalog.update_author',
      authorId: author,
      age: 63,
      biography: 'Wrote a book.',
    });
    expect(await shown(book)).toEqual(before);
    for (const event of await eventsOf(author, 'catalog.author_updated')) await deliver(event);
    expect(await shown(book)).toEqual(before);
  });

  it("replaces a book's copy of an author only with a newer version under another name", async () => {
    const { book, author } = await bookNamingAnAuthor();
    const db = database.db as Kysely<CatalogTables>;
    const [copy] = (await storedRefs(book)) as { id: string; name: string; version: number }[];
    const show = (name: string, version: number) =>
      showAuthorName(db, { id: author.toString(), name, version }).execute();
    await show('Older Name', copy!.version - 1);
    await show('Same Version', copy!.version);
    await show('Ann Author', copy!.version + 5);
    expect(await storedRefs(book)).toEqual([copy]);
    await show('Newer Name', copy!.version + 1);
    expect(await storedRefs(book)).toEqual([{ ...copy, name: 'Newer Name', version: copy!.version + 1 }]);
  });

  it("writes every name a book shows, in the book's order, when its authors change, and only then", async () => {
    // Named second, created first: the book's order is not the ids' order.
    const early = (await bus.execute(anAuthor({ firstName: 'Bo', lastName: 'Early' }))).id;
    const { book, author } = await bookNamingAnAuthor();
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: early });
    expect(await namesShown(book)).toEqual(['Ann Author', 'Bo Early']);
    await leaveRefs(book, []);
    await bus.execute({ type: 'catalog.update_book', bookId: book, title: 'Retitled' });
    expect(await namesShown(book)).toEqual([]);
    const third = (await bus.execute(anAuthor({ firstName: 'Cy', lastName: 'Third' }))).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: third });
    expect((await shown(book)).view.authors).toEqual([
      { id: author.toString(), name: 'Ann Author' },
      { id: early.toString(), name: 'Bo Early' },
      { id: third.toString(), name: 'Cy Third' },
    ]);
    await bus.execute({ type: 'catalog.remove_author_from_book', bookId: book, authorId: author });
    expect(await namesShown(book)).toEqual(['Bo Early', 'Cy Third']);
  });

  it.runIf(onServer)(
    "lets a rename skip a book another transaction holds, which the rename's delivery then shows it on",
    async () => {
      const { book, author } = await bookNamingAnAuthor();
      await database.db.transaction().execute(async (tx) => {
        await sql`select id from catalog.books where id = ${book.toString()} for update`.execute(tx);
        await bus.execute({ type: 'catalog.update_author', authorId: author, firstName: 'Anne' });
      });
      expect(await namesShown(book)).toEqual(['Ann Author']);
      const [updated] = await eventsOf(author, 'catalog.author_updated');
      await deliver(updated!);
      expect(await namesShown(book)).toEqual(['Anne Author']);
    },
  );

  it('mends, hourly, the copies that none of the writers kept: a missing author, a name changed behind their back', async () => {
    const { book, author } = await bookNamingAnAuthor();
    const second = (await bus.execute(anAuthor({ firstName: 'Bo', lastName: 'Second' }))).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: second });
    const intact = await bookNamingAnAuthor();
    const before = await shown(intact.book);
    // An earlier version's process, still running after the migration, added an author without the
    // copy; and a rename's delivery went to the dead letters.
    await sql`update catalog.books set author_refs = jsonb_build_array(author_refs -> 0)
               where id = ${book.toString()}`.execute(database.db);
    await sql`update catalog.authors set first_name = 'Annabel', version = version + 1
               where id = ${author.toString()}`.execute(database.db);
    expect(await namesShown(book)).toEqual(['Ann Author']);

    const repair = new AuthorRefsRepair();
    expect((await repair.run(database.db)).authorRefsRepaired).toBeGreaterThanOrEqual(1);
    expect((await shown(book)).view.authors).toEqual([
      { id: author.toString(), name: 'Annabel Author' },
      { id: second.toString(), name: 'Bo Second' },
    ]);
    expect(await shown(intact.book)).toEqual(before);
    expect(await repair.run(database.db)).toEqual({ authorRefsRepaired: 0 });
  });

  it.runIf(onServer)(
    'makes a rename that holds the author wait for it, then shows the new name (the author row is read FOR SHARE)',
    async () => {
      const { book } = await bookNamingAnAuthor();
      const second = (await bus.execute(anAuthor({ firstName: 'Cy', lastName: 'Racer' }))).id;
      let added: Promise<unknown> | undefined;
      await database.db.transaction().execute(async (tx) => {
        // A rename in flight: the author's row is changed and locked, not yet committed.
        await sql`update catalog.authors set first_name = 'Cyrus', version = version + 1
                   where id = ${second.toString()}`.execute(tx);
        added = bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: second });
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      await added;
      expect(await namesShown(book)).toEqual(['Ann Author', 'Cyrus Racer']);
    },
  );
});
