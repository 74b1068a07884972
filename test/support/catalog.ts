import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { AddAuthor } from '../../src/contexts/catalog/application/add-author.ts';
import type { AddBook } from '../../src/contexts/catalog/application/add-book.ts';
import { catalogCommandHandlers } from '../../src/contexts/catalog/application/commands.ts';
import type { CatalogRepositories } from '../../src/contexts/catalog/application/dependencies.ts';
import type { AuthorPrimitives } from '../../src/contexts/catalog/domain/author.ts';
import type { BookPrimitives } from '../../src/contexts/catalog/domain/book.ts';
import { InMemoryAuthorRepository } from '../../src/contexts/catalog/infrastructure/in-memory-author-repository.ts';
import { InMemoryBookRepository } from '../../src/contexts/catalog/infrastructure/in-memory-book-repository.ts';
import { MessageBus } from '../../src/shared/application/message-bus.ts';
import { FixedClock } from '../../src/shared/domain/clock.ts';
import type { DomainEvent, Json } from '../../src/shared/domain/domain-event.ts';
import { Id, SnowflakeIdGenerator } from '../../src/shared/domain/id.ts';
import type { AnyEventSubscription } from '../../src/shared/infrastructure/bounded-context.ts';
import {
  InMemoryTable,
  inMemoryUnitOfWorkFactory,
} from '../../src/shared/infrastructure/in-memory-unit-of-work.ts';

/**
 * The catalog context composed as the app composes it, on in-memory fakes: a bus with the real
 * handlers, a fixed clock, and the outbox as a plain array to look into.
 */
export function inMemoryCatalog() {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  const tools = { clock, ids: new SnowflakeIdGenerator(4, clock) };
  const books = new InMemoryTable<BookPrimitives | undefined>();
  const authors = new InMemoryTable<AuthorPrimitives>();
  const outbox: DomainEvent[] = [];
  const uow = inMemoryUnitOfWorkFactory<CatalogRepositories>(
    (tracker) => ({
      books: new InMemoryBookRepository(books, tracker),
      authors: new InMemoryAuthorRepository(authors, tracker),
    }),
    [books, authors],
    outbox,
  );
  const bus = new MessageBus();
  bus.register(catalogCommandHandlers({ uow, tools }));
  return { bus, uow, tools, clock, books, authors, outbox, eventNames: () => outbox.map((e) => e.name) };
}

let isbnSerial = 0;

/** A valid ISBN-13 no other call returns (979 prefix; the check digit computed). */
export function uniqueIsbn(): string {
  isbnSerial += 1;
  const twelve = `979${String(process.pid % 1000).padStart(3, '0')}${String(isbnSerial).padStart(6, '0')}`;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += (i % 2 === 0 ? 1 : 3) * Number(twelve[i]);
  return twelve + String((10 - (sum % 10)) % 10);
}

/** An add-book command with sensible defaults and a fresh isbn (an Object Mother). */
export function aBook(overrides: Partial<Omit<AddBook, 'type'>> = {}): AddBook {
  return {
    type: 'catalog.add_book',
    title: 'Domain-Driven Design',
    isbn: uniqueIsbn(),
    pages: 560,
    price: { amount: 45_000, currency: 'KRW' },
    publicationYear: 2003,
    ...overrides,
  };
}

/** An add-author command with sensible defaults (an Object Mother). */
export function anAuthor(overrides: Partial<Omit<AddAuthor, 'type'>> = {}): AddAuthor {
  return { type: 'catalog.add_author', firstName: 'Eric', lastName: 'Evans', age: 62, ...overrides };
}

/** The same, as the HTTP body of POST /books. */
export function aBookBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Domain-Driven Design',
    isbn: uniqueIsbn(),
    pages: 560,
    price: { amount: 45_000, currency: 'KRW' },
    publication_year: 2003,
    ...overrides,
  };
}

/** The same, as the HTTP body of POST /authors. */
export function anAuthorBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { first_name: 'Eric', last_name: 'Evans', age: 62, ...overrides };
}

interface OutboxRow {
  id: string;
  name: string;
  aggregate_type: string;
  aggregate_id: string;
  occurred_at: Date;
  payload: Json;
}

/**
 * A stand-in for the outbox relay, for tests: delivers every stored event that one of the given
 * subscriptions wants and this relay has not delivered yet, in outbox order, each in a
 * transaction of its own, as the relay does. Answers how many deliveries ran.
 */
export function testRelay(db: Kysely<unknown>, subscriptions: readonly AnyEventSubscription[]) {
  const delivered = new Set<string>();
  return {
    async run(): Promise<number> {
      const names = [...new Set(subscriptions.map((s) => s.event))];
      const { rows } = await sql<OutboxRow>`
        select id, name, aggregate_type, aggregate_id, occurred_at, payload
          from shared.outbox where name in (${sql.join(names)}) order by id`.execute(db);
      let count = 0;
      for (const row of rows.filter((r) => !delivered.has(r.id))) {
        const event = outboxEvent(row);
        for (const subscription of subscriptions.filter((s) => s.event === row.name)) {
          await db.transaction().execute((tx) => subscription.handle(event, tx));
          count += 1;
        }
        delivered.add(row.id);
      }
      return count;
    },
  };
}

export function outboxEvent(row: OutboxRow): DomainEvent {
  return {
    id: Id.of(row.id),
    name: row.name,
    aggregate_type: row.aggregate_type,
    aggregate_id: Id.of(row.aggregate_id),
    occurred_at: row.occurred_at,
    payload: row.payload as DomainEvent['payload'],
  };
}
