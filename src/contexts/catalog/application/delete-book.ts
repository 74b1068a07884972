import type { Id } from '../../../shared/domain/id.ts';
import type { CatalogDependencies } from './dependencies.ts';
import { loadBook } from './load-book.ts';

export interface DeleteBook {
  readonly type: 'catalog.delete_book';
  readonly bookId: Id;
}

/** Deletes a book; its authors stop listing it once they have handled the events this records. */
export async function deleteBook(command: DeleteBook, deps: CatalogDependencies): Promise<undefined> {
  await deps.uow().run(async ({ books }) => {
    const book = await loadBook(books, command.bookId);
    book.delete(deps.tools);
    await books.remove(book);
  });
  return undefined;
}
