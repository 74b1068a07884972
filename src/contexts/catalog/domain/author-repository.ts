import type { Id } from '../../../shared/domain/id.ts';
import type { Author } from './author.ts';

/** Stores authors; `save` refuses a stale author (`ConcurrencyError`). */
export interface AuthorRepository {
  add(author: Author): Promise<void>;
  save(author: Author): Promise<void>;
  byId(id: Id): Promise<Author | undefined>;
  /** Whether the author exists, without loading it (a book may only name existing authors). */
  exists(id: Id): Promise<boolean>;
}
