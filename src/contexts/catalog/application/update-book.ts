import type { Id } from '../../../shared/domain/id.ts';
import { Isbn } from '../domain/isbn.ts';
import { Money } from '../domain/money.ts';
import { PageCount } from '../domain/page-count.ts';
import { PublicationYear } from '../domain/publication-year.ts';
import { Title } from '../domain/title.ts';
import type { CatalogDependencies } from './dependencies.ts';
import { loadBook } from './load-book.ts';

export interface UpdateBook {
  readonly type: 'catalog.update_book';
  readonly bookId: Id;
  /** The version the client last saw (from If-Match); the update is refused if the book has moved on. */
  readonly expectedVersion?: number;
  readonly title?: string;
  readonly isbn?: string;
  readonly pages?: number;
  /** Merged into the current price: a missing `currency` keeps the book's currency. */
  readonly price?: { readonly amount?: number; readonly currency?: string };
  readonly publicationYear?: number;
}

export async function updateBook(command: UpdateBook, deps: CatalogDependencies): Promise<undefined> {
  const title = command.title === undefined ? undefined : Title.parse(command.title);
  const isbn = command.isbn === undefined ? undefined : Isbn.parse(command.isbn);
  const pages = command.pages === undefined ? undefined : PageCount.of(command.pages);
  const publicationYear =
    command.publicationYear === undefined
      ? undefined
      : PublicationYear.of(command.publicationYear, deps.tools.clock.now());
  await deps.uow().run(async ({ books }) => {
    const book = await loadBook(books, command.bookId, command.expectedVersion);
    const current = book.details.price;
    const price =
      command.price === undefined
        ? undefined
        : Money.of(command.price.amount ?? current.amount, command.price.currency ?? current.currency);
    book.revise({ title, isbn, pages, price, publicationYear }, deps.tools);
    // Nothing changed, nothing recorded: no write, so the version (and the ETag) stays.
    if (book.recordedEvents.length > 0) await books.save(book);
  });
  return undefined;
}
