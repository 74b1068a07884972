import { AggregateRoot } from '../../../shared/domain/aggregate-root.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { AuthorNotListedError, TooManyAuthorsError } from './errors.ts';
import type { BookEvent, BookField } from './events.ts';
import { Isbn } from './isbn.ts';
import { Money } from './money.ts';
import { PageCount } from './page-count.ts';
import { PublicationYear } from './publication-year.ts';
import { Title } from './title.ts';

/** What a book is made of, as storage keeps it. */
export interface BookPrimitives {
  readonly id: Id;
  readonly title: string;
  readonly isbn: string;
  readonly pages: number;
  readonly price_amount: bigint;
  readonly price_currency: string;
  readonly publication_year: number;
  /** In the order they were added: the first is the main author. */
  readonly author_ids: readonly Id[];
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly version: number;
}

/** The facts about a book that a member can set. */
export interface BookDetails {
  readonly title: Title;
  readonly isbn: Isbn;
  readonly pages: PageCount;
  readonly price: Money;
  readonly publicationYear: PublicationYear;
}

/**
 * A book in the catalog. It references its authors by id only (one-to-many from the book), and
 * announces every change to that list as an event, which is how each author learns which books
 * name it: the two aggregates never change in one transaction.
 */
export class Book extends AggregateRoot<BookEvent> {
  /** Bounds the aggregate (and the row it is stored in); no real book comes close. */
  static readonly MAX_AUTHORS = 100;
  protected readonly aggregateType = 'book';
  readonly id: Id;
  readonly createdAt: Date;
  #details: BookDetails;
  #authorIds: Id[];
  #updatedAt: Date;

  private constructor(
    id: Id,
    details: BookDetails,
    authorIds: readonly Id[],
    createdAt: Date,
    updatedAt: Date,
    version: number,
  ) {
    super(version);
    this.id = id;
    this.#details = details;
    this.#authorIds = [...authorIds];
    this.createdAt = createdAt;
    this.#updatedAt = updatedAt;
  }

  static add(details: BookDetails, tools: DomainTools): Book {
    const now = tools.clock.now();
    const book = new Book(tools.ids.next(), details, [], now, now, 0);
    book.record(tools, 'catalog.book_added', book.#state());
    return book;
  }

  /** Rehydrates a stored book; records no event. */
  static fromPrimitives(state: BookPrimitives): Book {
    const details: BookDetails = {
      title: Title.parse(state.title),
      isbn: Isbn.parse(state.isbn),
      pages: PageCount.of(state.pages),
      price: Money.of(state.price_amount, state.price_currency),
      publicationYear: PublicationYear.stored(state.publication_year),
    };
    return new Book(state.id, details, state.author_ids, state.created_at, state.updated_at, state.version);
  }

  get details(): BookDetails {
    return this.#details;
  }

  get authorIds(): readonly Id[] {
    return this.#authorIds;
  }

  get updatedAt(): Date {
    return this.#updatedAt;
  }

  /** Changes some of the details; setting a field to what it already is changes nothing. */
  revise(changes: Partial<BookDetails>, tools: DomainTools): void {
    const current = this.#details;
    const next: BookDetails = { ...current, ...definedOnly(changes) };
    const changed: BookField[] = [];
    if (!next.title.equals(current.title)) changed.push('title');
    if (!next.isbn.equals(current.isbn)) changed.push('isbn');
    if (!next.pages.equals(current.pages)) changed.push('pages');
    if (!next.price.equals(current.price)) changed.push('price');
    if (!next.publicationYear.equals(current.publicationYear)) changed.push('publication_year');
    if (changed.length === 0) return;
    this.#details = next;
    this.#updatedAt = tools.clock.now();
    this.record(tools, 'catalog.book_updated', { ...this.#state(), changed });
  }

  /** Idempotent: adding an author the book already lists changes nothing and records nothing. */
  addAuthor(authorId: Id, tools: DomainTools): void {
    if (this.#authorIds.includes(authorId)) return;
    if (this.#authorIds.length >= Book.MAX_AUTHORS) throw new TooManyAuthorsError(Book.MAX_AUTHORS);
    this.#authorIds.push(authorId);
    this.#updatedAt = tools.clock.now();
    this.record(tools, 'catalog.author_added_to_book', {
      author_id: authorId.toString(),
      book_version: this.#nextVersion,
    });
  }

  removeAuthor(authorId: Id, tools: DomainTools): void {
    if (!this.#authorIds.includes(authorId)) {
      throw new AuthorNotListedError(this.id.toString(), authorId.toString());
    }
    this.#authorIds = this.#authorIds.filter((id) => id !== authorId);
    this.#updatedAt = tools.clock.now();
    this.record(tools, 'catalog.author_removed_from_book', {
      author_id: authorId.toString(),
      book_version: this.#nextVersion,
    });
  }

  /**
   * Takes the book out of the catalog. Each author it named is removed first, with the same
   * event as a single removal, so the author side needs one reaction for both and each author
   * is updated in a delivery (a transaction) of its own.
   */
  delete(tools: DomainTools): void {
    const authorIds = this.#authorIds;
    for (const authorId of authorIds) {
      this.record(tools, 'catalog.author_removed_from_book', {
        author_id: authorId.toString(),
        book_version: this.#nextVersion,
      });
    }
    this.#authorIds = [];
    this.record(tools, 'catalog.book_deleted', {
      title: this.#details.title.value,
      isbn: this.#details.isbn.value,
      author_ids: authorIds.map((id) => id.toString()),
      book_version: this.#nextVersion,
    });
  }

  toPrimitives(): BookPrimitives {
    const d = this.#details;
    return {
      id: this.id,
      title: d.title.value,
      isbn: d.isbn.value,
      pages: d.pages.value,
      price_amount: d.price.amount,
      price_currency: d.price.currency,
      publication_year: d.publicationYear.value,
      author_ids: [...this.#authorIds],
      created_at: this.createdAt,
      updated_at: this.#updatedAt,
      version: this.version,
    };
  }

  /** The version this change will be stored as: a command saves the book once, as version + 1. */
  get #nextVersion(): number {
    return this.version + 1;
  }

  #state() {
    const d = this.#details;
    return {
      title: d.title.value,
      isbn: d.isbn.value,
      pages: d.pages.value,
      price: { amount: d.price.amountAsNumber, currency: d.price.currency },
      publication_year: d.publicationYear.value,
      book_version: this.#nextVersion,
    };
  }
}

function definedOnly<T extends object>(changes: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}
