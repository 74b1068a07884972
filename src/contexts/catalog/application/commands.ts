import type { CommandHandlers } from '../../../shared/application/message-bus.ts';
import { type AddAuthor, type AddedAuthor, addAuthor } from './add-author.ts';
import { type AddAuthorToBook, addAuthorToBook } from './add-author-to-book.ts';
import { type AddBook, type AddedBook, addBook } from './add-book.ts';
import { type DeleteBook, deleteBook } from './delete-book.ts';
import type { CatalogDependencies } from './dependencies.ts';
import { type RemoveAuthorFromBook, removeAuthorFromBook } from './remove-author-from-book.ts';
import { type UpdateAuthor, updateAuthor } from './update-author.ts';
import { type UpdateBook, updateBook } from './update-book.ts';

/**
 * Commands answer at most what they created. What a client sees of a change is read afterwards
 * through the queries (CQRS), so a book's response shows its authors' names like every other
 * read. Adding a book or an author is the exception: the new one shows no other aggregate yet,
 * so the command answers it as the read would (`addedBookView`, `addedAuthorView`), without
 * reading back the row it just wrote.
 */
declare module '../../../shared/application/message-bus.ts' {
  interface CommandRegistry {
    'catalog.add_author': { command: AddAuthor; result: AddedAuthor };
    'catalog.update_author': { command: UpdateAuthor; result: undefined };
    'catalog.add_book': { command: AddBook; result: AddedBook };
    'catalog.update_book': { command: UpdateBook; result: undefined };
    'catalog.delete_book': { command: DeleteBook; result: undefined };
    'catalog.add_author_to_book': { command: AddAuthorToBook; result: undefined };
    'catalog.remove_author_from_book': { command: RemoveAuthorFromBook; result: undefined };
  }
}

export const catalogCommandTypes = [
  'catalog.add_author',
  'catalog.update_author',
  'catalog.add_book',
  'catalog.update_book',
  'catalog.delete_book',
  'catalog.add_author_to_book',
  'catalog.remove_author_from_book',
] as const;

export type CatalogCommandType = (typeof catalogCommandTypes)[number];

/** The catalog's command handlers, one per command type (the compiler checks none is missing). */
export function catalogCommandHandlers(deps: CatalogDependencies): CommandHandlers<CatalogCommandType> {
  return {
    'catalog.add_author': (command) => addAuthor(command, deps),
    'catalog.update_author': (command) => updateAuthor(command, deps),
    'catalog.add_book': (command) => addBook(command, deps),
    'catalog.update_book': (command) => updateBook(command, deps),
    'catalog.delete_book': (command) => deleteBook(command, deps),
    'catalog.add_author_to_book': (command) => addAuthorToBook(command, deps),
    'catalog.remove_author_from_book': (command) => removeAuthorFromBook(command, deps),
  };
}
