import { type Kysely, sql } from 'kysely';

/**
 * The members who deleted their account, as this context learnt it (accounts.member_deleted), so
 * that none of them gets a new project: their access token is checked without the database and
 * stays valid for up to ACCESS_TOKEN_TTL after they left.
 *
 * A departure and the creation of a project of the same member are ordered by a lock on the
 * member (a transaction-level advisory lock: class id the table's oid, object id the member id
 * hashed to 32 bits; two members sharing a hash only wait for each other now and then). The
 * departure takes it exclusively, each creation shared:
 *
 * - `projects.record_departure(owner, departed)` locks, then inserts the row (a repeat keeps the first
 *   time). The reaction calls it before it looks for the member's projects to close, in the same
 *   transaction: a creation in progress commits first, and the reaction then closes its project.
 * - `projects.owner_departed(owner)` locks, then answers from the table. A creation asks it in its
 *   own INSERT (`… select … where not projects.owner_departed(…)`), so it costs no round trip. It
 *   is VOLATILE and two statements on purpose: a volatile function takes a fresh snapshot for each
 *   of its statements, so the lookup, made once the lock is had, sees a departure that committed
 *   while the INSERT waited for it. (Within the INSERT's own snapshot, taken before the wait, it
 *   would not, and the project would be created for a member already gone: declared STABLE, it
 *   fails the race test in project-repository.test.ts.) This relies on READ COMMITTED, at which
 *   the units of work run: under REPEATABLE READ a transaction keeps one snapshot throughout.
 *   PL/pgSQL rather than SQL: it keeps its plans across calls, where a SQL function plans its
 *   body on every INSERT (measured with pgbench: a call cost about 5 µs over a bare lookup,
 *   against 45 µs).
 *
 * Members deleted before this migration are not recorded: one who left less than ACCESS_TOKEN_TTL
 * before it ran could still create a project with their token until it expires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('projects')
    .createTable('departed_owners')
    .addColumn('member_id', 'bigint', (c) => c.primaryKey())
    .addColumn('departed_at', sql`timestamptz(3)`, (c) => c.notNull())
    .execute();
  await sql`
    create function projects.record_departure(owner bigint, departed timestamptz) returns void
    language plpgsql volatile as $$
    begin
      perform pg_advisory_xact_lock('projects.departed_owners'::regclass::oid::int, hashint8(owner));
      insert into projects.departed_owners (member_id, departed_at) values (owner, departed)
        on conflict (member_id) do nothing;
    end
    $$`.execute(db);
  await sql`
    create function projects.owner_departed(owner bigint) returns boolean
    language plpgsql volatile as $$
    begin
      perform pg_advisory_xact_lock_shared('projects.departed_owners'::regclass::oid::int, hashint8(owner));
      return exists (select 1 from projects.departed_owners where member_id = owner);
    end
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function projects.owner_departed(bigint)`.execute(db);
  await sql`drop function projects.record_departure(bigint, timestamptz)`.execute(db);
  await db.schema.withSchema('projects').dropTable('departed_owners').execute();
}
