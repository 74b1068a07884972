import { type Expression, type Kysely, type RawBuilder, sql } from 'kysely';
import type { CatalogTables, StoredAuthorRef } from './tables.ts';

/**
 * The read model's copy of a book's authors (`books.author_refs`): what a view of the book shows
 * of each author, `{id, name, version}`, kept on the book's row so that reading a book, or a page
 * of them, joins nothing. Three writers keep it:
 *
 * - a book's own write computes it from its author ids (`authorRefsOf`), taking each author's row
 *   `FOR SHARE`, so a rename running at the same time waits for it or is seen by it;
 * - an author's rename patches every book that names it, in the rename's own statement
 *   (`showAuthorName`), so the next read shows the new name;
 * - the delivery of the rename's `catalog.author_updated` event patches them again from the
 *   author's row as it is then (`showCurrentAuthorName`). A rename's statement cannot see a book
 *   whose write began before it and committed after (its snapshot is older): that write read the
 *   old name, and holding its lock on the author, made the rename wait. The delivery comes after
 *   the rename's commit, and so after that write's.
 *
 * A copy is replaced only by a newer version of the author with another name, so a late or
 * repeated patch changes nothing, and an author's other changes (age, biography) leave the books'
 * views, and their ETags, as they were.
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
 * otherwise; the rest of each book's list stays as it is, in its order.
 */
export function showAuthorName(db: Kysely<CatalogTables>, author: StoredAuthorRef) {
  const ref = sql`jsonb_build_object('id', ${author.id}::text, 'name', ${author.name}::text,
                                     'version', ${author.version}::int)`;
  return db
    .updateTable('catalog.books')
    .set({
      author_refs: sql<StoredAuthorRef[]>`(
        select jsonb_agg(case when listed.ref ->> 'id' = ${author.id} then ${ref} else listed.ref end
                         order by listed.position)
          from jsonb_array_elements(author_refs) with ordinality as listed(ref, position))`,
    })
    .where(sql<boolean>`author_ids @> array[${author.id}]::bigint[]`)
    .where(
      sql<boolean>`jsonb_path_exists(author_refs,
                     '$[*] ? (@.id == $id && @.version < $version && @.name != $name)', ${ref})`,
    );
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
