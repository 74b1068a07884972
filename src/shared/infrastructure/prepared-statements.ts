import { createHash } from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Named prepared statements for the hot queries, on the PostgreSQL server.
 *
 * By default pg sends every statement unnamed: the server parses, analyses and plans it again on
 * each call. For a primary-key lookup that is little, but a book with its authors (a correlated
 * JSON subquery) or a unit of work's write statement spends most of its server time planning:
 * measured with pgbench, the book lookup runs at 8k/s unprepared and 27k/s prepared.
 *
 * A query opts in with `prepared(compiled)`, which marks its SQL with a leading comment. The pool
 * wrapper below sends marked statements by name, so each connection prepares one once and then
 * only binds and executes it. It is opt-in because a prepared statement may switch to a generic
 * plan after five runs, which is right for lookups by key and wrong for, say, `title ILIKE $1`
 * (planned without the pattern, it can walk the primary key through every row to fill a page).
 * Mark only statements with explicit result columns (or none): a migration that adds a column under
 * a prepared `SELECT *` makes the server refuse it ("cached plan must not change result type").
 * PGlite ignores the mark: there it is only a comment.
 *
 * Each connection keeps at most `PER_CONNECTION` statements; past that, marked statements run
 * unnamed, so a statement whose text varies (a multi-row VALUES list) cannot grow it without end.
 * Set `DATABASE_PREPARED_STATEMENTS=false` behind a pooler that does not keep sessions (PgBouncer
 * in transaction mode before 1.21): a statement prepared on one server connection is unknown on
 * the next.
 */
const MARK = '/* prepared */ ';
const PER_CONNECTION = 100;
/** Statement names by SQL text: hashing once per text, not per call. */
const NAMES = new Map<string, string>();
const NAMES_LIMIT = 10_000;
/** The names prepared on each pooled client (pg remembers which it parsed; this counts them). */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/** Marks a compiled query to run as a named prepared statement (see above). */
export function prepared<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return query.sql.startsWith(MARK) ? query : { ...query, sql: MARK + query.sql };
}

/** The pool as Kysely's PostgresDialect sees it, sending marked statements by name. */
export function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    options: pool.options,
    connect: async () => preparingClient(await pool.connect()),
    end: () => pool.end(),
  };
}

function preparingClient(client: pg.PoolClient): PostgresPoolClient {
  return {
    query: ((sqlOrCursor: string | object, parameters?: readonly unknown[]) => {
      if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
      const name = sqlOrCursor.startsWith(MARK) ? nameOn(client, sqlOrCursor) : undefined;
      return name === undefined
        ? client.query(sqlOrCursor, parameters as unknown[])
        : client.query({ name, text: sqlOrCursor, values: parameters as unknown[] });
    }) as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  };
}

function nameOn(client: pg.PoolClient, sql: string): string | undefined {
  let name = NAMES.get(sql);
  if (name === undefined) {
    name = `bounded_${createHash('sha1').update(sql).digest('base64url').slice(0, 22)}`;
    if (NAMES.size < NAMES_LIMIT) NAMES.set(sql, name);
  }
  let known = preparedOn.get(client);
  if (known === undefined) {
    known = new Set();
    preparedOn.set(client, known);
  }
  if (!known.has(name)) {
    if (known.size >= PER_CONNECTION) return undefined;
    known.add(name);
  }
  return name;
}

/** Runs a query as a prepared statement and answers its first row (a lookup by key). */
export async function firstPrepared<DB, R>(db: Kysely<DB>, query: Compilable<R>): Promise<R | undefined> {
  return (await db.executeQuery(prepared(query.compile()))).rows[0];
}
