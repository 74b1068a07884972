/**
 * A view and what its content depends on. `version` is the aggregate's own version (what
 * If-Match preconditions are about); `revision` also changes when another aggregate the view
 * shows changes (a book shows its authors' names), so equal revisions mean equal content.
 */
export interface Revisioned<View> {
  readonly view: View;
  readonly version: number;
  readonly revision: string;
}

/**
 * The revision of a view that shows no other aggregate (a book without authors, an author without
 * books): its version and "none". Where a view shows others, the read model puts a digest of
 * their versions in place of "none".
 */
export function revisionAlone(version: number): string {
  return `${version}.none`;
}
