import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../shared/domain/clock.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import { Id, SnowflakeIdGenerator } from '../../../shared/domain/id.ts';
import { Book, type BookDetails } from './book.ts';
import { AuthorNotListedError, TooManyAuthorsError } from './errors.ts';
import { Isbn } from './isbn.ts';
import { Money } from './money.ts';
import { PageCount } from './page-count.ts';
import { PublicationYear } from './publication-year.ts';
import { Title } from './title.ts';

function tools(): DomainTools & { clock: FixedClock } {
  const clock = new FixedClock('2026-06-01T10:00:00.000Z');
  return { clock, ids: new SnowflakeIdGenerator(1, clock) };
}

function details(overrides: Partial<BookDetails> = {}): BookDetails {
  return {
    title: Title.parse('Domain-Driven Design'),
    isbn: Isbn.parse('0-321-12521-5'),
    pages: PageCount.of(560),
    price: Money.of(45_000),
    publicationYear: PublicationYear.of(2003, new Date('2026-06-01')),
    ...overrides,
  };
}

/** A book as if loaded from storage at `version` (no events pending). */
function storedBook(t: DomainTools, version = 1, authorIds: Id[] = []): Book {
  const book = Book.add(details(), t);
  return Book.fromPrimitives({ ...book.toPrimitives(), author_ids: authorIds, version });
}

const ada = Id.of('1001');
const grace = Id.of('1002');

describe('Book', () => {
  it('records catalog.book_added with its details, the ISBN-13 and book_version 1', () => {
    const book = Book.add(details(), tools());
    expect(book.pullEvents()).toEqual([
      expect.objectContaining({
        name: 'catalog.book_added',
        aggregate_type: 'book',
        aggregate_id: book.id,
        payload: {
          title: 'Domain-Driven Design',
          isbn: '9780321125217',
          pages: 560,
          price: { amount: 45_000, currency: 'KRW' },
          publication_year: 2003,
          book_version: 1,
        },
      }),
    ]);
    expect(book.authorIds).toEqual([]);
  });

  it('records only the fields that changed, with the whole new state', () => {
    const t = tools();
    const book = storedBook(t, 3);
    t.clock.advance(1000);
    book.revise({ title: Title.parse('DDD'), pages: PageCount.of(560), price: Money.of(45_000) }, t);
    const [event] = book.pullEvents();
    expect(event?.name).toBe('catalog.book_updated');
    expect(event?.payload).toMatchObject({ title: 'DDD', pages: 560, changed: ['title'], book_version: 4 });
    expect(book.updatedAt.toISOString()).toBe('2026-06-01T10:00:01.000Z');
  });

  it('records nothing when revised to what it already is', () => {
    const t = tools();
    const book = storedBook(t);
    book.revise({ ...details(), isbn: Isbn.parse('9780321125217') }, t);
    expect(book.pullEvents()).toEqual([]);
  });

  it('adds an author once: adding the same author again changes and records nothing', () => {
    const t = tools();
    const book = storedBook(t, 2);
    book.addAuthor(ada, t);
    book.addAuthor(grace, t);
    book.addAuthor(ada, t);
    expect(book.authorIds).toEqual([ada, grace]);
    expect(book.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['catalog.author_added_to_book', { author_id: '1001', book_version: 3 }],
      ['catalog.author_added_to_book', { author_id: '1002', book_version: 3 }],
    ]);
  });

  it(`names at most ${Book.MAX_AUTHORS} authors`, () => {
    const t = tools();
    const full = Array.from({ length: Book.MAX_AUTHORS }, (_, i) => Id.of(String(5000 + i)));
    const book = storedBook(t, 1, full);
    expect(() => book.addAuthor(ada, t)).toThrow(TooManyAuthorsError);
    book.addAuthor(full[0]!, t);
    expect(book.pullEvents()).toEqual([]);
  });

  it('removes a named author, and refuses to remove one it does not name', () => {
    const t = tools();
    const book = storedBook(t, 5, [ada, grace]);
    book.removeAuthor(ada, t);
    expect(book.authorIds).toEqual([grace]);
    expect(() => book.removeAuthor(ada, t)).toThrow(AuthorNotListedError);
    expect(book.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['catalog.author_removed_from_book', { author_id: '1001', book_version: 6 }],
    ]);
  });

  it('on deletion, removes each of its authors, then records catalog.book_deleted', () => {
    const t = tools();
    const book = storedBook(t, 7, [ada, grace]);
    book.delete(t);
    expect(book.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['catalog.author_removed_from_book', { author_id: '1001', book_version: 8 }],
      ['catalog.author_removed_from_book', { author_id: '1002', book_version: 8 }],
      [
        'catalog.book_deleted',
        {
          title: 'Domain-Driven Design',
          isbn: '9780321125217',
          author_ids: ['1001', '1002'],
          book_version: 8,
        },
      ],
    ]);
  });

  it('rehydrates from primitives without recording events', () => {
    const t = tools();
    const book = Book.add(details(), t);
    const again = Book.fromPrimitives({ ...book.toPrimitives(), author_ids: [grace, ada], version: 4 });
    expect(again.recordedEvents).toEqual([]);
    expect(again.version).toBe(4);
    expect(again.toPrimitives()).toEqual({ ...book.toPrimitives(), author_ids: [grace, ada], version: 4 });
  });
});
