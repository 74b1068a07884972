import { type Kysely, sql } from 'kysely';

/**
 * The read model keeps each book's authors as its views show them: `books.author_refs`, a JSON
 * array `[{id, name, version}]` in the order of `author_ids`, where `version` is the author's
 * version when its name was copied. Reads no longer join the authors: a title search over 100,000
 * books spent more of the server's time joining the authors of a page than finding it.
 *
 * The book's own writes fill the column; an author's rename patches every book that names it
 * (see `book-author-refs.ts`). Here, existing books get theirs from the authors as they are.
 * Frozen: this SQL is not shared with the code, which may change after the migration has run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table catalog.books add column author_refs jsonb not null default '[]'`.execute(db);
  await sql`
    update catalog.books b
       set author_refs = coalesce((
             select jsonb_agg(jsonb_build_object('id', a.id::text, 'name', a.first_name || ' ' || a.last_name,
                                                 'version', a.version) order by listed.position)
               from unnest(b.author_ids) with ordinality as listed(author_id, position)
               join catalog.authors a on a.id = listed.author_id), '[]')
     where cardinality(b.author_ids) > 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table catalog.books drop column author_refs`.execute(db);
}
