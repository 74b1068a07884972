import type { CatalogErrorCode } from '../domain/errors.ts';

/** Every catalog error code has its status; a new code without one does not compile. */
export const catalogErrorStatuses: Record<CatalogErrorCode, number> = {
  'book.invalid_title': 400,
  'book.invalid_isbn': 400,
  'book.invalid_page_count': 400,
  'book.invalid_price': 400,
  'book.invalid_publication_year': 400,
  'book.isbn_taken': 409,
  'book.not_found': 404,
  'book.too_many_authors': 409,
  'book.author_not_listed': 404,
  'book.precondition_failed': 412,
  'author.invalid_name': 400,
  'author.invalid_age': 400,
  'author.invalid_biography': 400,
  'author.not_found': 404,
  'author.precondition_failed': 412,
};
