import type { Id } from '../../../shared/domain/id.ts';
import { AuthorNotFoundError } from '../domain/errors.ts';
import type { CatalogDependencies } from './dependencies.ts';
import { loadBook } from './load-book.ts';

export interface AddAuthorToBook {
  readonly type: 'catalog.add_author_to_book';
  readonly bookId: Id;
  readonly authorId: Id;
}

/**
 * Names an existing author as an author of the book. Idempotent: naming an author twice changes
 * nothing the second time. Only the book is saved here; the author lists the book when it
 * handles `catalog.author_added_to_book`.
 */
export async function addAuthorToBook(
  command: AddAuthorToBook,
  deps: CatalogDependencies,
): Promise<undefined> {
  await deps.uow().run(async ({ books, authors }) => {
    const book = await loadBook(books, command.bookId);
    if (!(await authors.exists(command.authorId))) throw new AuthorNotFoundError(command.authorId.toString());
    book.addAuthor(command.authorId, deps.tools);
    if (book.recordedEvents.length > 0) await books.save(book);
  });
  return undefined;
}
