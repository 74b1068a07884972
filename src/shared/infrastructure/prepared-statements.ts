import { createHash } from 'node:crypto';
import type { CompiledQuery, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { isStaleStatement, type LookupPipeline } from './lookup-pipeline.ts';
import { PreparedNames } from './prepared-names.ts';

/**
 * Named prepared statements for the hot queries, on the PostgreSQL server (docs/adr/0006).
 *
 * By default pg sends every statement unnamed: the server parses, analyses and plans it again on
 * each call. For a primary-key lookup that is little, but a statement with a subquery (an author
 * with its books; a book with its authors, when they were joined at read time) or a unit of work's
 * write statement spends most of its server time planning: measured with pgbench, the book lookup
 * with its authors' subquery ran at 8k/s unnamed and 27k/s prepared.
 *
 * A query opts in with a mark, a leading comment; the pool wrapper below sends marked statements
 * by name, so each connection prepares one once and then only binds and executes it:
 *
 * - `prepared(query)`: a statement of fixed shape (a lookup by key). Always prepared; there are as
 *   many as the code has call sites, or, where a call site writes settings fixed at start-up into
 *   its text (the relay's claim: its batch size), one per such setting a process has.
 * - `preparedIfRoom(query)`: a statement whose text may vary with its input (a unit of work's
 *   writes: multi-row VALUES, one CTE per write). Prepared while the connection holds fewer than
 *   `VARYING_PER_CONNECTION` of them, unnamed after that, so they can neither grow without end nor
 *   crowd out the lookups.
 *
 * - `preparedWrite(query)`: a unit of work's whole write, sent alone as one autocommitted
 *   statement on its optimistic attempt (docs/adr/0005). Prepared while there is room, as
 *   `preparedIfRoom`; with a pipeline it runs on the write lanes, which never wait on a row lock
 *   (`lock_timeout`): one that would fails with 55P03, and the unit of work runs the command again
 *   locked, on a pooled connection, where it waits.
 *
 * - `preparedSearch(query)`: a page of a list or a search (`title ILIKE $1`, `author_ids @> …`),
 *   whose cost depends on its input. With a pipeline it runs on the search lanes, prepared, with
 *   generic plans (below); without one, on the pool, unnamed, as any other statement.
 *
 * It is opt-in because a prepared statement may switch to a generic plan after five runs, which is
 * right for lookups by key and wrong for some searches: planned without the pattern, `title ILIKE
 * $1` scans the whole trigram index for a two-letter term, where the planner, seeing it, reads
 * the table. Mark a search only for input its generic plan suits. Mark only statements with explicit
 * result columns (or none): a migration that changes the columns under a prepared `SELECT *` makes
 * the server refuse it. Such refusals, and a pooler that lost the statement, end the connection
 * (`release(destroy)`), so the next checkout prepares afresh on a new one. PGlite ignores the
 * marks: there they are only comments.
 */
const FIXED = '/* prepared */ ';
const VARYING = '/* prepared if room */ ';
const SEARCH = '/* prepared search */ ';
const WRITE = '/* prepared write */ ';
/** How many varying texts a connection prepares (a pooled one, or a write lane). */
export const VARYING_PER_CONNECTION = 100;
/** Statement names by SQL text: hashing once per text, not per call. */
const NAMES = new Map<string, string>();
const NAMES_LIMIT = 10_000;
/**
 * Marks a fixed-shape query to run as a named prepared statement. A SELECT so marked, outside a
 * transaction, runs on a lookup lane, where sequential scans are off (database.ts, `BY_KEY`): mark
 * only statements an index serves, or a table read whole becomes a whole index read.
 */
export function prepared<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return marked(query, FIXED);
}

/** Marks a query whose text may vary to run prepared while the connection has room for it. */
export function preparedIfRoom<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return marked(query, VARYING);
}

/** Marks a unit of work's optimistic write statement, autocommitted: prepared if room, on the write lanes (by key: sequential scans off there too). */
export function preparedWrite<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return marked(query, WRITE);
}

/** Marks a list or search query to run prepared on the search lanes, with a generic plan. */
export function preparedSearch<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return marked(query, SEARCH);
}

function marked<R>(query: CompiledQuery<R>, mark: string): CompiledQuery<R> {
  return query.sql.startsWith('/* prepared') ? query : { ...query, sql: mark + query.sql };
}

/**
 * Every column of `Table`, named, for a prepared statement that reads whole rows (never
 * `SELECT *`, above). The type refuses a list that leaves a column out, naming it: a column added
 * to the table's type cannot go missing from the rows a repository rebuilds its aggregates from.
 *
 *     const MEMBER_COLUMNS = everyColumn<MembersTable>()('id', 'email', …);
 */
export function everyColumn<Table>() {
  return <const Columns extends readonly (keyof Table & string)[]>(
    ...columns: Columns & MissingColumns<Table, Columns[number]>
  ): Columns => columns;
}

type MissingColumns<Table, Named> = [Exclude<keyof Table & string, Named>] extends [never]
  ? unknown
  : { readonly missing: Exclude<keyof Table & string, Named> };

/**
 * The shared pipelined connections beside the pool: one set for lookups by key, one for searches,
 * one for the autocommitted writes of units of work.
 */
export interface Pipelines {
  readonly lookups: LookupPipeline;
  /** Its sessions are set to `plan_cache_mode = force_generic_plan` (docs/adr/0007). */
  readonly searches: LookupPipeline;
  /** Its sessions are set to a `lock_timeout` of 1 ms; each lane prepares at most `VARYING_PER_CONNECTION` texts. */
  readonly writes: LookupPipeline;
}

/**
 * The pool as Kysely's PostgresDialect sees it, sending marked statements by name. With
 * pipelines, a checkout is only a handle: a marked SELECT it runs before anything else goes over
 * the pipelines' shared connections, and a pooled connection is taken only for what needs one
 * of its own (a transaction, a write, any other statement), then kept until the checkout ends.
 */
export function preparingPool(pool: pg.Pool, pipelines?: Pipelines): PostgresPool {
  return {
    options: pool.options,
    // pg's Pool keeps its client class here (undeclared in its types): Kysely cancels queries with it.
    Client: (pool as unknown as { Client?: PostgresPool['Client'] }).Client,
    // A new handle per checkout, never a recycled one: Kysely keys its connection state by this
    // object (a connection it discarded after a failed ROLLBACK stays discarded; the backend pid
    // it cancels by is remembered), so a handle must not outlive its checkout.
    connect: async () =>
      pipelines === undefined ? PreparingClient.of(await pool.connect()) : new RoutingClient(pool, pipelines),
    end: async () => {
      await Promise.all([pipelines?.lookups.end(), pipelines?.searches.end(), pipelines?.writes.end()]);
      await pool.end();
    },
  };
}

/** The name a marked statement is prepared under; hashed once per text. */
function statementName(sql: string): string {
  let name = NAMES.get(sql);
  if (name === undefined) {
    name = `bounded_${createHash('sha1').update(sql).digest('base64url').slice(0, 22)}`;
    if (NAMES.size < NAMES_LIMIT) NAMES.set(sql, name);
  }
  return name;
}

const LOCKING = / for (update|no key update|share|key share)\b/i;
const LOOKUP_SELECT = `${FIXED}select `;
const SEARCH_SELECT = `${SEARCH}select `;
const SEARCH_WITH = `${SEARCH}with `;
/** A word only a statement that writes (or a data-modifying CTE) holds; in a name it only costs a lane. */
const WRITING = /\b(insert|update|delete|merge)\b/i;
/** A statement a pipeline may take: a SELECT with that mark, taking no row locks. */
const pipelined = (sql: string, markedSelect: string) => sql.startsWith(markedSelect) && !LOCKING.test(sql);
/** A search written as a WITH query, none of whose parts writes or locks, may go to the search lanes too. */
const readOnlySearchWith = (sql: string) =>
  sql.startsWith(SEARCH_WITH) && !WRITING.test(sql) && !LOCKING.test(sql);

/** The pipeline for a checkout's first statement, if one takes it; the pool's otherwise. */
function pipelineFor(sql: string, pipelines: Pipelines): LookupPipeline | undefined {
  if (pipelined(sql, LOOKUP_SELECT)) return pipelines.lookups;
  if (pipelined(sql, SEARCH_SELECT) || readOnlySearchWith(sql)) return pipelines.searches;
  // First on its checkout, so no BEGIN came before it: it is autocommitted wherever it runs.
  if (sql.startsWith(WRITE)) return pipelines.writes;
  return undefined;
}

/** A checkout handle: lookups to the pipeline, anything else to a pooled connection it keeps. */
class RoutingClient implements PostgresPoolClient {
  readonly #pool: pg.Pool;
  readonly #pipelines: Pipelines;
  /** The pooled connection this checkout holds, once something needed one. */
  #pooled: Promise<PreparingClient> | undefined;
  #processID: number | undefined;

  constructor(pool: pg.Pool, pipelines: Pipelines) {
    this.#pool = pool;
    this.#pipelines = pipelines;
  }

  /** The server process of the pooled connection, once there is one (Kysely cancels by it). */
  get processID(): number | undefined {
    return this.#processID;
  }

  query = ((sqlOrCursor: string | pg.Submittable, parameters?: readonly unknown[]) => {
    if (this.#pooled === undefined && typeof sqlOrCursor === 'string') {
      const pipeline = pipelineFor(sqlOrCursor, this.#pipelines);
      if (pipeline !== undefined) return pipeline.query(statementName(sqlOrCursor), sqlOrCursor, parameters);
    }
    this.#pooled ??= this.#pool.connect().then((client) => {
      const pooled = PreparingClient.of(client);
      this.#processID = pooled.processID;
      return pooled;
    });
    return this.#pooled.then((pooled) => pooled.query(sqlOrCursor as string, parameters as unknown[]));
  }) as unknown as PostgresPoolClient['query'];

  release(destroy?: boolean): void {
    // A connection that could not be had has nothing to give back (its query failed with that).
    this.#pooled?.then((pooled) => pooled.release(destroy)).catch(() => {});
    this.#pooled = undefined;
    this.#processID = undefined;
  }
}

/** One per pooled pg client, so Kysely's own per-client cache keeps working. */
class PreparingClient implements PostgresPoolClient {
  static readonly #byClient = new WeakMap<pg.PoolClient, PreparingClient>();

  static of(client: pg.PoolClient): PreparingClient {
    let wrapper = PreparingClient.#byClient.get(client);
    if (wrapper === undefined) {
      wrapper = new PreparingClient(client);
      PreparingClient.#byClient.set(client, wrapper);
    }
    return wrapper;
  }

  readonly #client: pg.PoolClient;
  /** The names prepared on this connection whose text may vary, to cap them. */
  readonly #varying = new PreparedNames(VARYING_PER_CONNECTION);
  #stale = false;

  private constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  get processID(): number | undefined {
    return (this.#client as unknown as { processID?: number }).processID;
  }

  query = ((sqlOrCursor: string | pg.Submittable, parameters?: readonly unknown[]) => {
    if (typeof sqlOrCursor !== 'string') return this.#client.query(sqlOrCursor);
    const values = parameters as unknown[];
    const name = this.#nameFor(sqlOrCursor);
    if (name === undefined) return this.#client.query(sqlOrCursor, values);
    return this.#client.query({ name, text: sqlOrCursor, values }).catch((error: unknown) => {
      if (isStaleStatement(error)) this.#stale = true;
      throw error;
    });
  }) as unknown as PostgresPoolClient['query'];

  release(destroy?: boolean): void {
    this.#client.release(destroy || this.#stale);
  }

  #nameFor(sql: string): string | undefined {
    const fixed = sql.startsWith(FIXED);
    if (!fixed && !sql.startsWith(VARYING) && !sql.startsWith(WRITE)) return undefined;
    const name = statementName(sql);
    return fixed ? name : this.#varying.take(name);
  }
}
