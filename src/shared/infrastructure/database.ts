import type { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, type LogEvent, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import type { Outage } from '../application/outage.ts';
import { LANE_ANSWER_TIMEOUT_MS, LookupPipeline, QUERY_READ_TIMEOUT } from './lookup-pipeline.ts';
import { lockDataFolder } from './pglite-lock.ts';
import { preparingPool, VARYING_PER_CONNECTION } from './prepared-statements.ts';
import { timestamptzParser } from './timestamptz.ts';

/**
 * One database handle for the whole process: Kysely over embedded PGlite or over a pg Pool.
 *
 * Both drivers are told to return int8 (`bigint` columns, `count(*)`) as a decimal **string**:
 * pg does so by default, PGlite would return a number, or a bigint above 2^53. Ids are bigint
 * columns and leave the API as strings, so a string is what every reader wants anyway.
 * Timestamps are `timestamptz(3)` and come back as `Date` from both.
 */
export type DatabaseTarget =
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined }
  | { readonly kind: 'postgres'; readonly url: string };

export interface DatabaseOptions {
  readonly poolSize?: number;
  /** Send statements marked with `prepared()` as named prepared statements (default true; pg only). */
  readonly preparedStatements?: boolean;
  /**
   * Shared pipelined connections for fixed-shape lookups outside transactions, and as many again
   * for searches (default 2 each; 0 for none; pg only, and only with prepared statements). They
   * come on top of the pool.
   */
  readonly pipelineConnections?: number;
  /** Called for every statement when set (SQL_ECHO). */
  readonly echo?: (event: { sql: string; durationMs: number; error?: unknown }) => void;
  /** A ready-made PGlite to use (tests load a migrated dump into one). */
  readonly pglite?: PGlite;
  /**
   * Told when an idle pooled connection fails (the server restarted, an administrator ended it):
   * the pool drops it and connects anew when needed. Without a listener such an error would be
   * thrown from the socket and end the process.
   */
  readonly onIdleConnectionError?: (error: Error) => void;
  /**
   * How long connecting to the server may take, in milliseconds (default 5000; pg only): a new
   * pooled connection or lane, and also the wait for a free pooled connection when all are busy.
   * Past it the statement fails with an error `databaseUnavailable` recognises. Without it, a
   * server that accepts connections and never answers (a network drop, a hung proxy) would hold
   * every request, and start-up, forever.
   */
  readonly connectTimeoutMs?: number;
  /** How long a lane waits for an answer before it drops its connection (tests; LANE_ANSWER_TIMEOUT_MS). */
  readonly laneAnswerTimeoutMs?: number;
  /**
   * The longest a statement may run, in milliseconds: the `statement_timeout` of every session
   * (pg only; 0: none, whatever the server's, the role's or the connection string's own setting;
   * unset: theirs). The server stops a statement past it, lock waits included, and it fails with 57014
   * (`databaseOutage`: `slow`). Without it, a statement that never ends (a lock never released, a
   * runaway plan) holds its connection, and the request waiting on it, until Node cuts the request
   * off, and the statement runs on. The lanes have at most four fifths of their answer timeout
   * (`laneStatementTimeoutMs`), so the server stops a slow statement there before the lane gives its
   * connection up, with every statement in flight on it.
   */
  readonly statementTimeoutMs?: number;
  /** Every pooled session's `lock_timeout`, in milliseconds (pg only; unset: the server's; lanes keep their own). */
  readonly lockTimeoutMs?: number;
}

/** DATABASE_CONNECT_TIMEOUT_MS's default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

const INT8_OID = 20;
export const TIMESTAMPTZ_OID = 1184;
const int8AsString = (value: string): string => value;
/** pg's parser, with a fast path for the shape the server sends (see timestamptz.ts). */
const timestamptz = timestamptzParser(pg.types.getTypeParser(TIMESTAMPTZ_OID) as (text: string) => unknown);

/**
 * Parses DATABASE_URL: `pglite://<folder>`, `memory://` or `postgres(ql)://…`. A server's URL must
 * be one pg can read: it reads it only on connecting, where it would fail with a bare "Invalid URL".
 */
export function parseDatabaseUrl(url: string): DatabaseTarget | undefined {
  if (url === 'memory://') return { kind: 'pglite', dataDir: undefined };
  if (url.startsWith('pglite://')) {
    const dir = url.slice('pglite://'.length);
    return dir === '' ? undefined : { kind: 'pglite', dataDir: dir };
  }
  if (/^postgres(ql)?:\/\/./.test(url) && readableByPg(url)) return { kind: 'postgres', url };
  return undefined;
}

function readableByPg(url: string): boolean {
  try {
    parseConnectionString(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * PGlite is loaded only by a process that uses it: a server-backed one starts without it. A data
 * folder is locked for this process until the PGlite closes (see pglite-lock.ts): two processes
 * on one folder would lose each other's writes.
 */
export async function createPGlite(dataDir: string | undefined, loadDataDir?: Blob): Promise<PGlite> {
  const [{ PGlite }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ]);
  const lock = dataDir === undefined ? undefined : await lockDataFolder(dataDir);
  try {
    const pglite = await PGlite.create({
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(loadDataDir === undefined ? {} : { loadDataDir }),
      parsers: { [INT8_OID]: int8AsString },
      // The catalog's title and name searches use trigram indexes; on the server it is contrib.
      extensions: { pg_trgm },
    });
    if (lock !== undefined) {
      const close = pglite.close.bind(pglite);
      pglite.close = async () => {
        try {
          await close();
        } finally {
          await lock.release();
        }
      };
    }
    return pglite;
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

export interface UnboundedOptions {
  /** How long a statement may wait for a lock, in milliseconds (0 or unset: as long as it takes). */
  readonly lockTimeoutMs?: number;
}

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseTarget['kind'];
  /** True when several connections can run statements at once (pg Pool); PGlite runs one at a time. */
  readonly concurrent: boolean;
  /** The pg Pool, for LISTEN/NOTIFY and such; undefined on PGlite. */
  readonly pool: pg.Pool | undefined;
  /**
   * Runs `work` on a connection of its own whose statements have no time limit
   * (`statementTimeoutMs`), closed afterwards: for migrations and housekeeping, whose index builds,
   * backfills and passes over a table may rightly take longer than any request should. With
   * `lockTimeoutMs`, a wait for a lock still ends (55P03): housekeeping's waits, unlike a
   * migration's for another instance's migration lock, should not hold their own locks on
   * everything else indefinitely. Fails at once if the connection cannot be had.
   */
  unbounded<T>(work: (db: Kysely<DB>) => Promise<T>, options?: UnboundedOptions): Promise<T>;
  close(): Promise<void>;
}

/** Every session's zone (see the pool's connect listener). */
const IN_UTC = { TimeZone: 'UTC' } as const;
const NOTHING = (): void => {};

/**
 * The lookup and write lanes' plans. Their statements are prepared, and after five runs the server
 * keeps a generic plan for each, made with the table's size at that moment. Planned while the table
 * was a page or two, the cheapest plan reads the whole table, and the kept plan goes on doing so as
 * the table grows, until the next ANALYZE (autovacuum's, a minute or more away): after 2,000 sign-ups
 * into a new database, /members/me fell from 24k to 9k/s. Everything on these lanes finds its rows
 * by key (lookups, and a unit of work's writes by id and version), which an index serves, so they
 * leave sequential scans to statements that have no other way (docs/adr/0007).
 */
const BY_KEY = { enable_seqscan: 'off' } as const;

/** How long a write on a write lane may wait for a lock before it fails (55P03): at once, in effect. */
const WRITE_LANE_LOCK_TIMEOUT = '1ms';

export async function openDatabase<DB>(
  target: DatabaseTarget,
  options: DatabaseOptions = {},
): Promise<Database<DB>> {
  const log = options.echo === undefined ? undefined : echoTo(options.echo);
  if (target.kind === 'pglite') {
    const pglite = options.pglite ?? (await createPGlite(target.dataDir));
    const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), ...(log ? { log } : {}) });
    return {
      db,
      kind: 'pglite',
      concurrent: false,
      pool: undefined,
      unbounded: (work) => work(db),
      async close() {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      },
    };
  }
  const timeoutMs = options.statementTimeoutMs;
  const session: Readonly<Record<string, string>> = {
    ...IN_UTC,
    ...(timeoutMs === undefined ? {} : { statement_timeout: String(timeoutMs) }),
    ...(options.lockTimeoutMs === undefined ? {} : { lock_timeout: String(options.lockTimeoutMs) }),
  };
  const sessionSetup = setConfigs(session);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    // Also read by the lanes, which connect with these options.
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // Sessions in UTC, whatever the server's default: instants are absolute either way, and the read
    // models' instants come as text that `isoInstant` rewrites by position only when in UTC (in any
    // other zone it parses them: slower, as right). With the statement timeout, if any. Set once
    // connected, before the connection's first statement (pg-pool awaits this), not as startup
    // options, which some poolers refuse (ADR 0007); the lanes likewise. Should it fail, the
    // session keeps the server's zone and timeout.
    onConnect: (client: pg.ClientBase) => client.query(sessionSetup).then(NOTHING, NOTHING),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? int8AsString
          : oid === TIMESTAMPTZ_OID && format !== 'binary'
            ? timestamptz
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const onError = (error: Error) => options.onIdleConnectionError?.(error);
  pool.on('error', onError);
  // The pool listens for errors only on idle clients. A checked-out client whose server connection
  // dies between two statements (killed, restarted) emits 'error' with nobody listening, which would
  // end the process. The failure already reaches the statement running on it, or the next one, and
  // the connection is then given up; so this listener has nothing more to do.
  pool.on('connect', (client) => client.on('error', () => {}));
  const lanes = options.preparedStatements === false ? 0 : (options.pipelineConnections ?? 2);
  const answerTimeout =
    options.laneAnswerTimeoutMs === undefined ? {} : { answerTimeoutMs: options.laneAnswerTimeoutMs };
  const laneSession: Readonly<Record<string, string>> =
    timeoutMs === undefined
      ? IN_UTC
      : {
          ...IN_UTC,
          statement_timeout: String(
            laneStatementTimeoutMs(timeoutMs, options.laneAnswerTimeoutMs ?? LANE_ANSWER_TIMEOUT_MS),
          ),
        };
  const pipelines =
    lanes > 0
      ? {
          lookups: new LookupPipeline(pool.options, lanes, onError, {
            settings: { ...laneSession, ...BY_KEY },
            ...answerTimeout,
          }),
          // A search's generic plan is made once per lane and statement; a custom one, planned
          // with the pattern on every run, cost the server more than running it (docs/adr/0007).
          searches: new LookupPipeline(pool.options, lanes, onError, {
            settings: { ...laneSession, plan_cache_mode: 'force_generic_plan' },
            ...answerTimeout,
          }),
          // A unit of work's optimistic write never waits on a row lock here: it fails at once
          // (55P03) and the command runs again on a pooled connection, locked (docs/adr/0005).
          writes: new LookupPipeline(pool.options, lanes, onError, {
            settings: { ...laneSession, ...BY_KEY, lock_timeout: WRITE_LANE_LOCK_TIMEOUT },
            preparedPerLane: VARYING_PER_CONNECTION,
            ...answerTimeout,
          }),
        }
      : undefined;
  const dialect = new PostgresDialect({
    pool: options.preparedStatements === false ? pool : preparingPool(pool, pipelines),
  });
  const db = new Kysely<DB>({ dialect, ...(log ? { log } : {}) });
  return {
    db,
    kind: 'postgres',
    concurrent: true,
    pool,
    async unbounded(work, { lockTimeoutMs = 0 } = {}) {
      // Its own connection, with nothing to restore afterwards: the pool's connections keep their limit.
      const own = await openDatabase<DB>(target, {
        poolSize: 1,
        preparedStatements: false,
        statementTimeoutMs: 0,
        lockTimeoutMs,
        ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
        ...(options.echo === undefined ? {} : { echo: options.echo }),
      });
      try {
        // Connects now: a database out of reach fails the whole run here, once.
        await own.db.executeQuery(CompiledQuery.raw('select 1'));
        return await work(own.db);
      } finally {
        await own.close();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * A lane's `statement_timeout`: the configured one (0: none), but at most four fifths of the lane's
 * answer timeout. A statement slower than that is stopped by the server (57014, `slow`: nothing of
 * it took effect) rather than given up by the lane, which would drop its connection and fail every
 * statement in flight on it as `lost`.
 */
export function laneStatementTimeoutMs(statementTimeoutMs: number, answerTimeoutMs: number): number {
  const bound = Math.max(1, Math.floor(answerTimeoutMs * 0.8));
  return statementTimeoutMs === 0 ? bound : Math.min(statementTimeoutMs, bound);
}

/** One statement setting each of `settings` for the session (`set_config`, not local). */
function setConfigs(settings: Readonly<Record<string, string>>): pg.QueryConfig {
  const entries = Object.entries(settings);
  return {
    text: `select ${entries.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ')}`,
    values: entries.flat(),
  };
}

function echoTo(sink: NonNullable<DatabaseOptions['echo']>) {
  return (event: LogEvent): void => {
    sink({
      sql: event.query.sql,
      durationMs: Math.round(event.queryDurationMillis * 100) / 100,
      ...(event.level === 'error' ? { error: event.error } : {}),
    });
  };
}

/** PostgreSQL error codes we translate into domain answers. */
export const PgErrorCode = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  /** `lock_timeout` ran out (the write lanes set it). */
  lockNotAvailable: '55P03',
  /** A named statement the session does not have (its Parse failed, or a pooler moved us). */
  statementNotPrepared: '26000',
  /** Raised by `shared.expect_one_row_each`: a version-checked write changed no row. */
  rowCheckFailed: 'BD409',
} as const;

/** Socket errors that only happen while connecting, whatever the system call reported. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** Socket errors of a connection that could not be made (in `connect`) or was lost (otherwise). */
const SOCKET_FAILURES = new Set([
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
]);
/** SQLSTATEs of a server that refused the session: starting up or shutting down, full, refused. */
const SESSION_REFUSED = new Set(['57P03', '53300', '08001', '08004']);
/** The statement was cancelled: past its `statement_timeout`, or by an administrator. */
const QUERY_CANCELED = '57014';
/** SQLSTATEs of a session the server ended, or lost, with the statement running. */
const SESSION_ENDED = new Set(['57P01', '57P02', '08000', '08003', '08006', '08007']);
/** pg's and pg-pool's own failures, which carry no code, by their message. */
const DRIVER_FAILURES: ReadonlyMap<string, Outage> = new Map<string, Outage>([
  // The pool's connect timeout on a new connection, and a lane's.
  ['Connection terminated due to connection timeout', 'unreached'],
  ['timeout expired', 'unreached'],
  // A statement given to a connection already known broken: it was not sent.
  ['Client has encountered a connection error and is not queryable', 'unreached'],
  // Waiting in the pool's queue for a connection.
  ['timeout exceeded when trying to connect', 'busy'],
  ['Connection terminated unexpectedly', 'lost'],
  // A lane's statement unanswered for LANE_ANSWER_TIMEOUT_MS (the lane is then dropped).
  [QUERY_READ_TIMEOUT, 'lost'],
]);

/**
 * Whether a statement failed because the database could not be reached or could not serve it,
 * rather than because of the statement, and how (see Outage): the HTTP layer answers
 * these 503, not 500. A protocol violation (08P01) counts only without a server routine, as a
 * pooler such as PgBouncer sends it; from the server itself it is a bug of ours.
 */
export function databaseOutage(error: unknown): Outage | undefined {
  const code = sqlState(error);
  if (code === undefined) return error instanceof Error ? DRIVER_FAILURES.get(error.message) : undefined;
  if (CONNECT_FAILURES.has(code) || SESSION_REFUSED.has(code)) return 'unreached';
  if (SESSION_ENDED.has(code)) return 'lost';
  if (code === QUERY_CANCELED) return 'slow';
  if (SOCKET_FAILURES.has(code)) {
    const syscall = (error as { syscall?: unknown }).syscall;
    if (syscall === 'connect') return 'unreached';
    return code === 'ENOENT' ? undefined : 'lost';
  }
  if (code === '08P01' && (error as { routine?: unknown }).routine === undefined) return 'lost';
  return undefined;
}

/**
 * Whether a failure means the database could not be reached or kept (unreached, busy, lost), the
 * case `unreachableLine` explains. A stopped statement (`slow`) did reach it: no setting to check.
 */
export function outOfReach(error: unknown): boolean {
  const outage = databaseOutage(error);
  return outage !== undefined && outage !== 'slow';
}

/**
 * The one line for a database that cannot be reached, as the server's start-up and the CLI say
 * it: where (never the password), why, and which settings to check.
 */
export function unreachableLine(target: DatabaseTarget, connectTimeoutMs: number, error: unknown): string {
  const where = target.kind === 'postgres' ? ` at ${serverAddress(target.url)}` : '';
  // Node's AggregateError (every address of a host refused) has an empty message.
  const why = error instanceof Error ? error.message || sqlState(error) || error.name : String(error);
  return `the database${where} cannot be reached (${why}); check DATABASE_URL, and DATABASE_CONNECT_TIMEOUT_MS (${connectTimeoutMs} ms) if it is only slow to answer`;
}

/** Where a server URL points, for messages: host and port, or the socket folder; never the password. */
export function serverAddress(url: string): string {
  try {
    const { host, port } = new pg.Client({ connectionString: url });
    return host?.startsWith('/') ? `the socket in ${host}` : `${host}:${port}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** The DETAIL of a driver error (pg and PGlite both expose `detail`), else undefined. */
export function errorDetail(error: unknown): string | undefined {
  const detail = (error as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' ? detail : undefined;
}

/** The SQLSTATE of a driver error (pg and PGlite both expose `code`), else undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The constraint a pg/PGlite error names, if any. */
export function violatedConstraint(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}
