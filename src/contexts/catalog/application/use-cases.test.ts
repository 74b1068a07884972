import { describe, expect, it } from 'vitest';
import { aBook, anAuthor, inMemoryCatalog } from '../../../../test/support/catalog.ts';
import { Id } from '../../../shared/domain/id.ts';
import {
  AuthorNotFoundError,
  AuthorNotListedError,
  AuthorPreconditionFailedError,
  BookNotFoundError,
  BookPreconditionFailedError,
  InvalidIsbnError,
  InvalidPublicationYearError,
  IsbnTakenError,
} from '../domain/errors.ts';
import { authorListsBook, authorUnlistsBook } from './author-bibliography.ts';

describe('catalog use cases (through the bus, on in-memory fakes)', () => {
  it('adds a book under its ISBN-13 and stores catalog.book_added in the outbox', async () => {
    const { bus, books, eventNames } = inMemoryCatalog();
    const added = await bus.execute(aBook({ isbn: '0-321-12521-5', title: ' DDD ' }));
    expect(books.rows.get(added.id.toString())).toMatchObject({
      isbn: '9780321125217',
      price_amount: 45_000n,
      version: 1,
    });
    expect(eventNames()).toEqual(['catalog.book_added']);
    // It answers the book as stored (a read would show the same: book-routes.test.ts).
    const stored = books.rows.get(added.id.toString())!;
    expect(added).toEqual({
      id: added.id,
      view: {
        id: added.id.toString(),
        title: 'DDD',
        isbn: '9780321125217',
        pages: 560,
        price: { amount: 45_000, currency: 'KRW' },
        publication_year: 2003,
        authors: [],
        created_at: stored.created_at.toISOString(),
        updated_at: stored.updated_at.toISOString(),
      },
      version: 1,
      revision: '1.47DEQpj8HBSa-_TI',
    });
  });

  it('refuses a wrong check digit or an impossible year before anything is stored', async () => {
    const { bus, books, outbox } = inMemoryCatalog();
    await expect(bus.execute(aBook({ isbn: '978-0-321-12521-8' }))).rejects.toThrow(InvalidIsbnError);
    await expect(bus.execute(aBook({ publicationYear: 2028 }))).rejects.toThrow(InvalidPublicationYearError);
    expect(books.rows.size).toBe(0);
    expect(outbox).toEqual([]);
  });

  it('refuses a second book with one ISBN, however it is written', async () => {
    const { bus, books, eventNames } = inMemoryCatalog();
    await bus.execute(aBook({ isbn: '0-321-12521-5' }));
    await expect(bus.execute(aBook({ isbn: '978 0 321 12521 7' }))).rejects.toThrow(IsbnTakenError);
    const other = (await bus.execute(aBook())).id;
    await expect(
      bus.execute({ type: 'catalog.update_book', bookId: other, isbn: '9780321125217' }),
    ).rejects.toThrow(IsbnTakenError);
    expect(books.rows.size).toBe(2);
    expect(eventNames()).toEqual(['catalog.book_added', 'catalog.book_added']);
  });

  it('merges a price update: an amount alone keeps the currency', async () => {
    const { bus, books } = inMemoryCatalog();
    const id = (await bus.execute(aBook({ price: { amount: 1999, currency: 'USD' } }))).id;
    await bus.execute({ type: 'catalog.update_book', bookId: id, price: { amount: 2499 } });
    expect(books.rows.get(id.toString())).toMatchObject({
      price_amount: 2499n,
      price_currency: 'USD',
      version: 2,
    });
    await bus.execute({ type: 'catalog.update_book', bookId: id, price: { currency: 'EUR' } });
    expect(books.rows.get(id.toString())).toMatchObject({
      price_amount: 2499n,
      price_currency: 'EUR',
      version: 3,
    });
  });

  it('writes nothing for an update that changes nothing', async () => {
    const { bus, books, eventNames } = inMemoryCatalog();
    const id = (await bus.execute(aBook({ title: 'Same' }))).id;
    await bus.execute({ type: 'catalog.update_book', bookId: id, title: ' Same ', pages: 560 });
    expect(books.rows.get(id.toString())?.version).toBe(1);
    expect(eventNames()).toEqual(['catalog.book_added']);
  });

  it('refuses an update made against a version that is no longer current', async () => {
    const { bus, books, authors } = inMemoryCatalog();
    const book = (await bus.execute(aBook())).id;
    await bus.execute({ type: 'catalog.update_book', bookId: book, expectedVersion: 1, title: 'First' });
    await expect(
      bus.execute({ type: 'catalog.update_book', bookId: book, expectedVersion: 1, title: 'Second' }),
    ).rejects.toThrow(BookPreconditionFailedError);
    expect(books.rows.get(book.toString())?.title).toBe('First');
    const author = (await bus.execute(anAuthor())).id;
    await expect(
      bus.execute({ type: 'catalog.update_author', authorId: author, expectedVersion: 7, age: 70 }),
    ).rejects.toThrow(AuthorPreconditionFailedError);
    expect(authors.rows.get(author.toString())?.age).toBe(62);
  });

  it('adds an existing author to an existing book, once however often asked', async () => {
    const { bus, books, eventNames } = inMemoryCatalog();
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor())).id;
    const command = { type: 'catalog.add_author_to_book' as const, bookId: book, authorId: author };
    await bus.execute(command);
    await bus.execute(command);
    expect(books.rows.get(book.toString())).toMatchObject({ author_ids: [author], version: 2 });
    expect(eventNames().filter((n) => n === 'catalog.author_added_to_book')).toHaveLength(1);
  });

  it('answers not found for a missing book or a missing author, and changes nothing', async () => {
    const { bus, books } = inMemoryCatalog();
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor())).id;
    const missing = Id.of('42');
    await expect(
      bus.execute({ type: 'catalog.add_author_to_book', bookId: missing, authorId: author }),
    ).rejects.toThrow(BookNotFoundError);
    await expect(
      bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: missing }),
    ).rejects.toThrow(AuthorNotFoundError);
    await expect(bus.execute({ type: 'catalog.delete_book', bookId: missing })).rejects.toThrow(
      BookNotFoundError,
    );
    await expect(bus.execute({ type: 'catalog.update_author', authorId: missing, age: 40 })).rejects.toThrow(
      AuthorNotFoundError,
    );
    expect(books.rows.get(book.toString())?.author_ids).toEqual([]);
  });

  it('removes a named author, and refuses to remove one the book does not name', async () => {
    const { bus, books } = inMemoryCatalog();
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor())).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
    await bus.execute({ type: 'catalog.remove_author_from_book', bookId: book, authorId: author });
    await expect(
      bus.execute({ type: 'catalog.remove_author_from_book', bookId: book, authorId: author }),
    ).rejects.toThrow(AuthorNotListedError);
    expect(books.rows.get(book.toString())?.author_ids).toEqual([]);
  });

  it('deletes a book: it is gone, and the outbox says which authors it named', async () => {
    const { bus, books, outbox } = inMemoryCatalog();
    const book = (await bus.execute(aBook())).id;
    const author = (await bus.execute(anAuthor())).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: author });
    await bus.execute({ type: 'catalog.delete_book', bookId: book });
    expect(books.rows.get(book.toString())).toBeUndefined();
    expect(outbox.slice(-2).map((e) => [e.name, e.payload.author_id ?? e.payload.author_ids])).toEqual([
      ['catalog.author_removed_from_book', author.toString()],
      ['catalog.book_deleted', [author.toString()]],
    ]);
  });

  it('adds and updates an author; a null biography removes it', async () => {
    const { bus, authors, eventNames } = inMemoryCatalog();
    const added = await bus.execute(anAuthor({ biography: 'Writes about design.' }));
    const id = added.id;
    // It answers the author as stored (a read would show the same: author-routes.test.ts).
    expect(added).toMatchObject({
      view: {
        id: id.toString(),
        first_name: 'Eric',
        last_name: 'Evans',
        age: 62,
        biography: 'Writes about design.',
        books: [],
      },
      version: 1,
      revision: '1.47DEQpj8HBSa-_TI',
    });
    await bus.execute({
      type: 'catalog.update_author',
      authorId: id,
      lastName: 'Evans-Smith',
      biography: null,
    });
    expect(authors.rows.get(id.toString())).toMatchObject({
      first_name: 'Eric',
      last_name: 'Evans-Smith',
      biography: null,
      version: 2,
    });
    expect(eventNames()).toEqual(['catalog.author_added', 'catalog.author_updated']);
  });
});

describe('the author side follows the book events (on fakes)', () => {
  it('lists the book once per author, even when an event is delivered twice', async () => {
    const catalog = inMemoryCatalog();
    const { bus, uow, outbox, authors } = catalog;
    const book = (await bus.execute(aBook())).id;
    const eric = (await bus.execute(anAuthor())).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: eric });
    const added = outbox.find((e) => e.name === 'catalog.author_added_to_book')!;
    await authorListsBook(added, { uow });
    await authorListsBook(added, { uow });
    expect(authors.rows.get(eric.toString())?.bibliography).toEqual([
      { book_id: book, book_version: 2, listed: true },
    ]);
    expect(authors.rows.get(eric.toString())?.version).toBe(2);
  });

  it('unlists the book when the author is removed or the book deleted, whatever order the news comes in', async () => {
    const { bus, uow, outbox, authors } = inMemoryCatalog();
    const book = (await bus.execute(aBook())).id;
    const eric = (await bus.execute(anAuthor())).id;
    await bus.execute({ type: 'catalog.add_author_to_book', bookId: book, authorId: eric });
    await bus.execute({ type: 'catalog.delete_book', bookId: book });
    const [added, removed] = outbox.filter((e) => e.name.endsWith('_book'));
    // The removal overtakes the addition (a retried delivery); the addition then changes nothing.
    await authorUnlistsBook(removed!, { uow });
    await authorListsBook(added!, { uow });
    expect(authors.rows.get(eric.toString())?.bibliography).toEqual([
      { book_id: book, book_version: 3, listed: false },
    ]);
  });
});
