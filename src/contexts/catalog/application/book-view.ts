/** An author as a book shows it. */
export interface AuthorRef {
  readonly id: string;
  /** "First Last". */
  readonly name: string;
}

/** A book as the API shows it: read straight from SQL, never through the aggregate. */
export interface BookView {
  readonly id: string;
  readonly title: string;
  /** The 13 digits of the ISBN-13 form. */
  readonly isbn: string;
  readonly pages: number;
  readonly price: { readonly amount: number; readonly currency: string };
  readonly publication_year: number;
  /** In the order they were added to the book. */
  readonly authors: AuthorRef[];
  readonly created_at: string;
  readonly updated_at: string;
}
