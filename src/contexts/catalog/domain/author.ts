import { AggregateRoot } from '../../../shared/domain/aggregate-root.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { Age } from './age.ts';
import { Biography } from './biography.ts';
import type { AuthorEvent, AuthorField } from './events.ts';
import { PersonName } from './person-name.ts';

/**
 * What the author knows about one book: the latest version of the book it has heard of, and
 * whether, as of that version, the book names this author. An entry stays when the book stops
 * naming the author (listed = false): it is the memory that lets a late, older event be ignored.
 */
export interface BibliographyEntry {
  readonly book_id: Id;
  readonly book_version: number;
  readonly listed: boolean;
}

/** What an author is made of, as storage keeps it. */
export interface AuthorPrimitives {
  readonly id: Id;
  readonly first_name: string;
  readonly last_name: string;
  readonly age: number;
  readonly biography: string | null;
  readonly bibliography: readonly BibliographyEntry[];
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly version: number;
}

/** The facts about an author that a member can set. */
export interface AuthorProfile {
  readonly name: PersonName;
  readonly age: Age;
  readonly biography: Biography | null;
}

/**
 * A person who writes books. It keeps the ids of its books (one-to-many from the author), but
 * never decides them: books decide who their authors are, and the author follows their events,
 * through the outbox, each in a transaction of its own.
 */
export class Author extends AggregateRoot<AuthorEvent> {
  protected readonly aggregateType = 'author';
  readonly id: Id;
  readonly createdAt: Date;
  #profile: AuthorProfile;
  /** Keyed by the book id's decimal text. */
  #bibliography: Map<string, BibliographyEntry>;
  #updatedAt: Date;

  private constructor(
    id: Id,
    profile: AuthorProfile,
    bibliography: readonly BibliographyEntry[],
    createdAt: Date,
    updatedAt: Date,
    version: number,
  ) {
    super(version);
    this.id = id;
    this.#profile = profile;
    this.#bibliography = new Map(bibliography.map((entry) => [entry.book_id.toString(), entry]));
    this.createdAt = createdAt;
    this.#updatedAt = updatedAt;
  }

  static add(profile: AuthorProfile, tools: DomainTools): Author {
    const now = tools.clock.now();
    const author = new Author(tools.ids.next(), profile, [], now, now, 0);
    author.record(tools, 'catalog.author_added', author.#state());
    return author;
  }

  /** Rehydrates a stored author; records no event. */
  static fromPrimitives(state: AuthorPrimitives): Author {
    const profile: AuthorProfile = {
      name: PersonName.of(state.first_name, state.last_name),
      age: Age.of(state.age),
      biography: Biography.parse(state.biography),
    };
    return new Author(
      state.id,
      profile,
      state.bibliography,
      state.created_at,
      state.updated_at,
      state.version,
    );
  }

  get profile(): AuthorProfile {
    return this.#profile;
  }

  get updatedAt(): Date {
    return this.#updatedAt;
  }

  /** The books that name this author, in id order (the order they entered the catalog). */
  get bookIds(): readonly Id[] {
    return [...this.#bibliography.values()]
      .filter((entry) => entry.listed)
      .map((entry) => entry.book_id)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Changes some of the profile; setting a field to what it already is changes nothing. */
  update(changes: Partial<AuthorProfile>, tools: DomainTools): void {
    const current = this.#profile;
    const next: AuthorProfile = {
      name: changes.name ?? current.name,
      age: changes.age ?? current.age,
      biography: changes.biography === undefined ? current.biography : changes.biography,
    };
    const changed: AuthorField[] = [];
    if (next.name.first !== current.name.first) changed.push('first_name');
    if (next.name.last !== current.name.last) changed.push('last_name');
    if (!next.age.equals(current.age)) changed.push('age');
    if (!Biography.equal(next.biography, current.biography)) changed.push('biography');
    if (changed.length === 0) return;
    this.#profile = next;
    this.#updatedAt = tools.clock.now();
    this.record(tools, 'catalog.author_updated', { ...this.#state(), changed });
  }

  /**
   * The book, at `bookVersion`, names this author. Ignored when the author already knows a version
   * at least as new, so a repeated or late delivery changes nothing. True when something changed.
   */
  listBook(bookId: Id, bookVersion: number): boolean {
    return this.#learn(bookId, bookVersion, true);
  }

  /** The book, at `bookVersion`, no longer names this author (or no longer exists). */
  unlistBook(bookId: Id, bookVersion: number): boolean {
    return this.#learn(bookId, bookVersion, false);
  }

  toPrimitives(): AuthorPrimitives {
    return {
      id: this.id,
      first_name: this.#profile.name.first,
      last_name: this.#profile.name.last,
      age: this.#profile.age.value,
      biography: this.#profile.biography?.value ?? null,
      bibliography: [...this.#bibliography.values()],
      created_at: this.createdAt,
      updated_at: this.#updatedAt,
      version: this.version,
    };
  }

  #learn(bookId: Id, bookVersion: number, listed: boolean): boolean {
    const key = bookId.toString();
    const known = this.#bibliography.get(key);
    if (known !== undefined && known.book_version >= bookVersion) return false;
    // Even when `listed` stays the same, the newer version must be remembered (and so saved).
    this.#bibliography.set(key, { book_id: bookId, book_version: bookVersion, listed });
    return true;
  }

  #state() {
    const p = this.#profile;
    return {
      first_name: p.name.first,
      last_name: p.name.last,
      age: p.age.value,
      biography: p.biography?.value ?? null,
    };
  }
}
