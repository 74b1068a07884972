import { type Expression, type Kysely, type RawBuilder, sql } from 'kysely';
import type { HousekeepingTask } from '../../../shared/infrastructure/housekeeping.ts';
import type { AuthorUpdated } from '../domain/events.ts';
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
 * views, and their ETags, as they were. What none of them mends (a rename's delivery in the dead
 * letters; a process of an earlier version, which writes books without the copy, still running
 * after the migration that added it) the hourly `AuthorRefsRepair` does.
 */
export function authorRefsOf(authorIds: Expression<readonly string[]>): RawBuilder<StoredAuthorRef[]> {
  return sql<StoredAuthorRef[]>`coalesce((
    select jsonb_agg(jsonb_build_object('id', a.id::text, 'name', ${fullName('a')}, 'version', a.version)
                     order by listed.position)
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

/**
 * Reacts to `catalog.author_updated` in the delivery's transaction: when the name changed, shows
 * it on the author's books as the author's row has it now. Other changes are not on the books.
 */
export async function showCurrentAuthorName(event: AuthorUpdated, tx: Kysely<unknown>): Promise<void> {
  const { changed } = event.payload;
  if (!changed.includes('first_name') && !changed.includes('last_name')) return;
  const db = tx as Kysely<CatalogTables>;
  const authorId = event.aggregate_id.toString();
  const author = await db
    .selectFrom('catalog.authors as a')
    .select([fullName('a').as('name'), 'a.version'])
    .where('a.id', '=', authorId)
    .executeTakeFirst();
  // Authors are never deleted; a missing one has no books to show it.
  if (author !== undefined) await showAuthorName(db, { id: authorId, ...author }).execute();
}

/** An author's name as the books show it, "first last", of the authors row aliased `alias`. */
function fullName(alias: string): RawBuilder<string> {
  return sql<string>`${sql.ref(`${alias}.first_name`)} || ' ' || ${sql.ref(`${alias}.last_name`)}`;
}

/**
 * Housekeeping: rewrites the copy of every book whose copy shows other authors, or other names,
 * than its author ids and the authors' rows say now (`authorRefsOf`, so with the same locks as a
 * book's save), at most `batch` books a run. It finds nothing while the three writers keep up;
 * its cost is one pass over the books that name an author (0.9 s for 100,000 such books here).
 */
export class AuthorRefsRepair implements HousekeepingTask {
  readonly name = 'catalog';
  readonly #batch: number;

  constructor(options: { readonly batch?: number } = {}) {
    this.#batch = options.batch ?? 10_000;
  }

  async run(db: Kysely<unknown>): Promise<{ readonly authorRefsRepaired: number }> {
    const result = await (db as Kysely<CatalogTables>)
      .updateTable('catalog.books')
      .set({ author_refs: authorRefsOf(sql.ref('author_ids')) })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('catalog.books as b')
          .select('b.id')
          .where(sql<boolean>`(cardinality(b.author_ids) > 0 or b.author_refs <> '[]'::jsonb)`)
          .where(sql<boolean>`${SHOWN} is distinct from ${CURRENT}`)
          .limit(this.#batch),
      )
      .executeTakeFirst();
    return { authorRefsRepaired: Number(result.numUpdatedRows) };
  }
}

/** The ids and names a book's copy shows, in order (its versions left out). */
const SHOWN = sql`(select coalesce(jsonb_agg(jsonb_build_array(shown.ref ->> 'id', shown.ref ->> 'name')
                                              order by shown.position), '[]'::jsonb)
                     from jsonb_array_elements(b.author_refs) with ordinality as shown(ref, position))`;

/** The ids and names the book's author ids and the authors' rows give now, in order. */
const CURRENT = sql`(select coalesce(jsonb_agg(jsonb_build_array(a.id::text, ${fullName('a')})
                                                order by listed.position), '[]'::jsonb)
                       from unnest(b.author_ids) with ordinality as listed(author_id, position)
                       join catalog.authors a on a.id = listed.author_id)`;
