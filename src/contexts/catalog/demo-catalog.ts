import { type Kysely, sql } from 'kysely';
import type { MessageBus } from '../../shared/application/message-bus.ts';
import { Id } from '../../shared/domain/id.ts';

/** What seeding needs from the running app (the App satisfies it). */
export interface DemoTarget {
  readonly bus: MessageBus;
  readonly database: { readonly db: Kysely<unknown> };
}

const FIRST_NAMES = ['Ada', 'Bruno', 'Chloé', 'Dae-jung', 'Elif', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas'];
const LAST_NAMES = ['Kovač', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor'];
const ADJECTIVES = [
  'Practical',
  'Pragmatic',
  'Gentle',
  'Effective',
  'Modern',
  'Reliable',
  'Patient',
  'Honest',
  'Humane',
  'Lean',
  'Quiet',
  'Deliberate',
  'Evolving',
  'Resilient',
  'Curious',
  'Thoughtful',
  'Essential',
  'Elegant',
  'Sturdy',
  'Clear',
];
const TOPICS = [
  'Domain Modelling',
  'Bounded Contexts',
  'Event Storming',
  'Aggregates',
  'Value Objects',
  'Transactional Outboxes',
  'Sagas',
  'Ubiquitous Language',
  'Modular Monoliths',
  'Refactoring Toward Insight',
];

interface DemoAuthor {
  readonly firstName: string;
  readonly lastName: string;
  readonly age: number;
  readonly biography: string | null;
}

interface DemoBook {
  readonly title: string;
  readonly isbn: string;
  readonly pages: number;
  readonly price: { readonly amount: number; readonly currency: string };
  readonly publicationYear: number;
  /** Indexes into DEMO_AUTHORS, in the order the book names them. */
  readonly authors: readonly number[];
}

/** 50 fictional authors: every first name with every last name. */
export const DEMO_AUTHORS: readonly DemoAuthor[] = FIRST_NAMES.flatMap((firstName, f) =>
  LAST_NAMES.map((lastName, l) => ({
    firstName,
    lastName,
    age: 28 + ((f * 7 + l * 11) % 50),
    biography: (f + l) % 4 === 0 ? null : `${firstName} ${lastName} writes about software design.`,
  })),
);

/**
 * 200 books: every adjective with every topic. Most name one author, every third a second one
 * and every seventh a third; ISBNs are ISBN-10 convertible (978-89-…), prices mostly in won.
 */
export const DEMO_BOOKS: readonly DemoBook[] = ADJECTIVES.flatMap((adjective, a) =>
  TOPICS.map((topic, t) => {
    const n = a * TOPICS.length + t;
    const authors = [(n * 7) % 50];
    if (n % 3 === 0) authors.push((n * 11 + 3) % 50);
    if (n % 7 === 0) authors.push((n * 13 + 5) % 50);
    return {
      title: `${adjective} ${topic}`,
      isbn: isbn13(`97889${String(1_000_000 + n * 37).padStart(7, '0')}`),
      pages: 120 + ((n * 31) % 600),
      price:
        n % 5 === 0
          ? { amount: 2_999 + (n % 4) * 1_000, currency: 'USD' }
          : { amount: 15_000 + (n % 20) * 1_500, currency: 'KRW' },
      publicationYear: 1995 + (n % 31),
      authors: [...new Set(authors)],
    };
  }),
);

/**
 * Builds the demo catalog through the same commands the API runs, so every rule applies and
 * every event is recorded. Idempotent: an author is found by name, a book by ISBN, and naming an
 * author twice changes nothing, so running it again creates nothing. `reset` deletes the demo
 * books (and restores the demo authors' profiles) before building them again. Authors list their
 * books once the outbox relay has delivered the books' events.
 */
export async function seedCatalog(app: DemoTarget, options: { readonly reset: boolean }): Promise<string[]> {
  const db = app.database.db;
  if (options.reset) {
    for (const id of (await booksByIsbn(db)).values())
      await app.bus.execute({ type: 'catalog.delete_book', bookId: id });
  }
  const knownAuthors = await authorsByName(db);
  const authorIds: Id[] = [];
  let createdAuthors = 0;
  for (const demo of DEMO_AUTHORS) {
    const known = knownAuthors.get(`${demo.firstName} ${demo.lastName}`);
    if (known !== undefined && options.reset) {
      await app.bus.execute({ type: 'catalog.update_author', authorId: known, ...demo });
    }
    if (known !== undefined) {
      authorIds.push(known);
      continue;
    }
    authorIds.push((await app.bus.execute({ type: 'catalog.add_author', ...demo })).id);
    createdAuthors += 1;
  }
  const knownBooks = await booksByIsbn(db);
  let createdBooks = 0;
  for (const demo of DEMO_BOOKS) {
    let bookId = knownBooks.get(demo.isbn);
    if (bookId === undefined) {
      const { authors: _, ...book } = demo;
      bookId = (await app.bus.execute({ type: 'catalog.add_book', ...book })).id;
      createdBooks += 1;
    }
    for (const index of demo.authors) {
      await app.bus.execute({ type: 'catalog.add_author_to_book', bookId, authorId: authorIds[index]! });
    }
  }
  if (createdAuthors === 0 && createdBooks === 0) return ['Demo catalog: already there; nothing changed.'];
  return [
    `Demo catalog: ${createdBooks} books and ${createdAuthors} authors added (${DEMO_BOOKS.length} books, ` +
      `${DEMO_AUTHORS.length} authors in all); authors list their books once the outbox relay has delivered the events.`,
  ];
}

async function authorsByName(db: Kysely<unknown>): Promise<Map<string, Id>> {
  const { rows } = await sql<{ id: string; name: string }>`
    select id, first_name || ' ' || last_name as name from catalog.authors order by id`.execute(db);
  const byName = new Map<string, Id>();
  // The first author of a name is the demo one; later namesakes were made by someone else.
  for (const row of rows) if (!byName.has(row.name)) byName.set(row.name, Id.of(row.id));
  return byName;
}

async function booksByIsbn(db: Kysely<unknown>): Promise<Map<string, Id>> {
  const isbns = DEMO_BOOKS.map((book) => book.isbn);
  const { rows } = await sql<{ id: string; isbn: string }>`
    select id, isbn from catalog.books where isbn in (${sql.join(isbns)})`.execute(db);
  return new Map(rows.map((row) => [row.isbn, Id.of(row.id)]));
}

/** Appends the ISBN-13 check digit to twelve digits. */
function isbn13(twelve: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += (i % 2 === 0 ? 1 : 3) * Number(twelve[i]);
  return twelve + String((10 - (sum % 10)) % 10);
}
