import { type Kysely, sql } from 'kysely';

/**
 * `shared.expect_one_row_each(changed)`: raises SQLSTATE `BD409` when an element of `changed` is
 * not 1, with the element's position (from 1) as DETAIL; else answers `changed`.
 *
 * A unit of work's writes go to the server as one statement of data-modifying CTEs (see
 * UnitOfWorkScope). The counts of its version-checked writes are passed through this function,
 * so a lost check fails the whole statement: it may then autocommit, with no BEGIN and COMMIT
 * around it, because a statement that fails changes nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function shared.expect_one_row_each(changed int[]) returns int[]
    language plpgsql as $$
    begin
      for i in 1 .. coalesce(array_length(changed, 1), 0) loop
        if changed[i] is distinct from 1 then
          raise exception using
            errcode = 'BD409',
            message = 'a version-checked write changed ' || coalesce(changed[i]::text, 'no') || ' rows',
            detail = i::text;
        end if;
      end loop;
      return changed;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function shared.expect_one_row_each(int[])`.execute(db);
}
