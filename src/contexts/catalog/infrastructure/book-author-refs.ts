import { type Expression, type Kysely, type RawBuilder, sql } from 'kysely';
import type { CatalogTables, StoredAuthorRef } from './tables.ts';

/**
 * The read model's copy of a book's authors (`books.author_refs`): what a view of the book shows
 * of each author, `{id, name, version}`, kept on the book's row so that reading a book, or a page
 * of them, joins nothing. Three writers keep it:
 *
 * - a book's save that changes its authors computes it from its author ids (`authorRefsOf`),
 *   taking each author's row `FOR SHARE`, so a rename running at the same time waits for it or is
 *   seen by it;
 * - an author's rename patches every book that names it, in the rename's own statement
 *   (`showAuthorName`), so the next read shows the new name; it skips a book another transaction
 *   holds;
 * - the delivery of the rename's `catalog.author_updated` event patches them again from the
 *   author's row as it is then (`showCurrentAuthorName`), waiting for the books it needs. It mends
 *   what the rename's statement skipped, and the one book it cannot see: a save that added the
 *   author, which began before the rename and committed after the rename's statement began (that
 *   statement's snapshot has the book without the author). That save read the old name and,
 *   holding its lock on the author, made the rename wait; the delivery comes after the rename's
 *   commit, and so after that save's.
 *
 * A copy is replaced only by a newer version of the author with another name, so a late or
 * repeated patch changes nothing, and an author's other changes (age, biography) leave the books'
 * views, and their ETags, as they were. Should a rename's delivery end in the dead letters, a book
 * it was to mend shows the old name until the event is sent again or the book's authors change.
 */
export function authorRefsOf(authorIds: Expression<readonly string[]>): RawBuilder<StoredAuthorRef[]> {
  return sql<StoredAuthorRef[]>`coalesce((
    select jsonb_agg(jsonb_build_object('id', a.id::text, 'name', a.first_name || ' ' || a.last_name,
                                        'version', a.version) order by listed.position)
      from unnest(${authorIds}::bigint[]) with ordinality as listed(author_id, position)
      join (select id, first_name, last_name, version from catalog.authors
             where id = any(${authorIds}::bigint[]) for share) a on a.id = listed.author_id), '[]'::jsonb)`;
}

/**
 * The UPDATE that shows `author`'s name on every book naming it whose copy is older and reads
 * otherwise; the rest of each book's list stays as it is, in its order. With `skipLocked` (a
 * rename's own statement), a book another transaction holds is left to the rename's delivery:
 * waiting for it could close a cycle with a book save waiting for this author's row.
 */
export function showAuthorName(
  db: Kysely<CatalogTables>,
  author: StoredAuthorRef,
  { skipLocked = false } = {},
) {
  const ref = sql`jsonb_build_object('id', ${author.id}::text, 'name', ${author.name}::text,
                                     'version', ${author.version}::int)`;
  const older = sql<boolean>`author_ids @> array[${author.id}]::bigint[] and jsonb_path_exists(author_refs,
    '$[*] ? (@.id == $id && @.version < $version && @.name != $name)', ${ref})`;
  return db
    .updateTable('catalog.books')
    .set({
      author_refs: sql<StoredAuthorRef[]>`(
        select jsonb_agg(case when listed.ref ->> 'id' = ${author.id} then ${ref} else listed.ref end
                         order by listed.position)
          from jsonb_array_elements(author_refs) with ordinality as listed(ref, position))`,
    })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('catalog.books')
        .select('id')
        .where(older)
        .forUpdate()
        .$if(skipLocked, (locking) => locking.skipLocked()),
    )
    .where(older);
}

/** Reacts to a rename (`catalog.author_updated`): shows the author's name as it is now. */
export async function showCurrentAuthorName(tx: Kysely<unknown>, authorId: string): Promise<void> {
  const db = tx as Kysely<CatalogTables>;
  const author = await db
    .selectFrom('catalog.authors')
    .select([sql<string>`first_name || ' ' || last_name`.as('name'), 'version'])
    .where('id', '=', authorId)
    .executeTakeFirst();
  // Authors are never deleted; a missing one has no books to show it.
  if (author !== undefined) await showAuthorName(db, { id: authorId, ...author }).execute();
}
