/** A book as an author shows it. */
export interface BookRef {
  readonly id: string;
  readonly title: string;
}

/** An author in a list: the profile, without the books. */
export interface AuthorSummary {
  readonly id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly age: number;
  readonly biography: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** One author: the profile and the books the author lists (once their events are handled). */
export interface AuthorView extends AuthorSummary {
  readonly books: BookRef[];
}
