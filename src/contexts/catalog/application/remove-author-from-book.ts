import type { Id } from '../../../shared/domain/id.ts';
import type { CatalogDependencies } from './dependencies.ts';
import { loadBook } from './load-book.ts';

export interface RemoveAuthorFromBook {
  readonly type: 'catalog.remove_author_from_book';
  readonly bookId: Id;
  readonly authorId: Id;
}

/** Stops naming the author on the book (`book.author_not_listed` if it does not name them). */
export async function removeAuthorFromBook(
  command: RemoveAuthorFromBook,
  deps: CatalogDependencies,
): Promise<undefined> {
  await deps.uow().run(async ({ books }) => {
    const book = await loadBook(books, command.bookId);
    book.removeAuthor(command.authorId, deps.tools);
    await books.save(book);
  });
  return undefined;
}
