import { DomainError } from '../../../shared/domain/domain-error.ts';

export type CatalogErrorCode =
  | 'book.invalid_title'
  | 'book.invalid_isbn'
  | 'book.invalid_page_count'
  | 'book.invalid_price'
  | 'book.invalid_publication_year'
  | 'book.isbn_taken'
  | 'book.not_found'
  | 'book.too_many_authors'
  | 'book.author_not_listed'
  | 'book.precondition_failed'
  | 'author.invalid_name'
  | 'author.invalid_age'
  | 'author.invalid_biography'
  | 'author.not_found'
  | 'author.precondition_failed';

export class InvalidTitleError extends DomainError<'book.invalid_title'> {
  readonly code = 'book.invalid_title' as const;
}

export class InvalidIsbnError extends DomainError<'book.invalid_isbn'> {
  readonly code = 'book.invalid_isbn' as const;
}

export class InvalidPageCountError extends DomainError<'book.invalid_page_count'> {
  readonly code = 'book.invalid_page_count' as const;
}

export class InvalidPriceError extends DomainError<'book.invalid_price'> {
  readonly code = 'book.invalid_price' as const;
}

export class InvalidPublicationYearError extends DomainError<'book.invalid_publication_year'> {
  readonly code = 'book.invalid_publication_year' as const;
}

export class IsbnTakenError extends DomainError<'book.isbn_taken'> {
  readonly code = 'book.isbn_taken' as const;

  constructor(isbn: string) {
    super(`Another book already has the isbn ${isbn}`);
  }
}

export class BookNotFoundError extends DomainError<'book.not_found'> {
  readonly code = 'book.not_found' as const;

  constructor(id: string) {
    super(`No book with id ${id}`);
  }
}

export class TooManyAuthorsError extends DomainError<'book.too_many_authors'> {
  readonly code = 'book.too_many_authors' as const;

  constructor(max: number) {
    super(`A book has at most ${max} authors`);
  }
}

export class AuthorNotListedError extends DomainError<'book.author_not_listed'> {
  readonly code = 'book.author_not_listed' as const;

  constructor(bookId: string, authorId: string) {
    super(`The book ${bookId} does not list the author ${authorId}`);
  }
}

/** The client's `If-Match` names a version of the book that is no longer the current one. */
export class BookPreconditionFailedError extends DomainError<'book.precondition_failed'> {
  readonly code = 'book.precondition_failed' as const;

  constructor(id: string) {
    super(`The book ${id} has changed since the version you sent in If-Match; fetch it again`);
  }
}

export class InvalidPersonNameError extends DomainError<'author.invalid_name'> {
  readonly code = 'author.invalid_name' as const;
}

export class InvalidAgeError extends DomainError<'author.invalid_age'> {
  readonly code = 'author.invalid_age' as const;
}

export class InvalidBiographyError extends DomainError<'author.invalid_biography'> {
  readonly code = 'author.invalid_biography' as const;
}

export class AuthorNotFoundError extends DomainError<'author.not_found'> {
  readonly code = 'author.not_found' as const;

  constructor(id: string) {
    super(`No author with id ${id}`);
  }
}

export class AuthorPreconditionFailedError extends DomainError<'author.precondition_failed'> {
  readonly code = 'author.precondition_failed' as const;

  constructor(id: string) {
    super(`The author ${id} has changed since the version you sent in If-Match; fetch it again`);
  }
}
