import { Book } from '../domain/book.ts';
import { Isbn } from '../domain/isbn.ts';
import { Money } from '../domain/money.ts';
import { PageCount } from '../domain/page-count.ts';
import { PublicationYear } from '../domain/publication-year.ts';
import { Title } from '../domain/title.ts';
import { addedBookView, type BookView } from './book-view.ts';
import type { CatalogDependencies } from './dependencies.ts';
import type { Added } from './revisioned.ts';

export interface AddBook {
  readonly type: 'catalog.add_book';
  readonly title: string;
  readonly isbn: string;
  readonly pages: number;
  /** `amount` in minor units; `currency` defaults to KRW. */
  readonly price: { readonly amount: number; readonly currency?: string };
  readonly publicationYear: number;
}

/** What adding a book answers: its id, and the book as a read would show it (`addedBookView`). */
export type AddedBook = Added<BookView>;

/** Adds a book without authors (they are added one by one). */
export async function addBook(command: AddBook, deps: CatalogDependencies): Promise<AddedBook> {
  const details = {
    title: Title.parse(command.title),
    isbn: Isbn.parse(command.isbn),
    pages: PageCount.of(command.pages),
    price: Money.of(command.price.amount, command.price.currency),
    publicationYear: PublicationYear.of(command.publicationYear, deps.tools.clock.now()),
  };
  return deps.uow().run(async ({ books }) => {
    const book = Book.add(details, deps.tools);
    await books.add(book);
    return { id: book.id, ...addedBookView(book) };
  });
}
