import type { Id } from '../../../shared/domain/id.ts';

/**
 * A view and what its content depends on. `version` is the aggregate's own version (what
 * If-Match preconditions are about); `revision` also changes when what the view shows of another
 * aggregate changes (a book shows its authors' names), so equal revisions mean equal content.
 */
export interface Revisioned<View> {
  readonly view: View;
  readonly version: number;
  readonly revision: string;
}

/** What a command that adds an aggregate answers: its id, and its view as a read would show it. */
export type Added<View> = Revisioned<View> & { readonly id: Id };

/**
 * The revision of a view that shows no other aggregate (a book without authors, an author without
 * books), for the answers built without the read model (`addedBookView`, `addedAuthorView`): its
 * version and the digest the read model gives an empty list of related versions (the first 16
 * characters of SHA-256 of nothing, in base64url), so both give one ETag for one content.
 * catalog-queries.test.ts checks the two agree.
 */
export function revisionAlone(version: number): string {
  return `${version}.${EMPTY_DIGEST}`;
}

const EMPTY_DIGEST = '47DEQpj8HBSa-_TI';

/** An aggregate's `created_at` and `updated_at` as the API writes them (what the read model reads). */
export function isoDates(stored: { readonly created_at: Date; readonly updated_at: Date }): {
  created_at: string;
  updated_at: string;
} {
  return { created_at: stored.created_at.toISOString(), updated_at: stored.updated_at.toISOString() };
}
