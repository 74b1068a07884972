import pg from 'pg';
import { PreparedNames } from './prepared-names.ts';

/**
 * Fixed-shape lookups that run outside a transaction, multiplexed over a few shared connections
 * in pg's pipeline mode (docs/adr/0007).
 *
 * A pooled connection serves one statement at a time: the request that holds it writes its query,
 * the server backend wakes up, answers, and sleeps again before the next request's query arrives
 * on that connection. On this kind of machine each of those wake-ups costs more than the lookup
 * itself. A lane instead takes every lookup of the moment: the ones issued in one turn of the event
 * loop, by all the requests whose input arrived in it, leave in one write (the socket is corked
 * until the loop's check phase, `setImmediate`), the backend answers them in
 * order without going back to sleep, and their results come back in few reads.
 *
 * Only what waits on no transaction goes here: a SELECT by key (the `prepared()` mark, on the
 * statement's first word, with no locking clause) outside a transaction neither takes nor waits for
 * row locks, so nothing queues behind a row lock on a lane (a table lock, as a migration takes,
 * holds up a lane's lookups as it holds up the pool's). Locking reads and transactions keep to the
 * pool. Searches, whose cost depends on their input, get a pipeline of their own, so that a slow
 * one holds up no lookup by key. So do a unit of work's autocommitted writes (`preparedWrite`),
 * on sessions whose `lock_timeout` makes a write that meets a row lock fail at once instead of
 * holding up the lane: the unit of work then runs the command again on a pooled connection, which
 * waits. A lane that fails, or whose prepared statements the server no longer accepts, is retired
 * and the next statement opens a fresh one.
 */
export class LookupPipeline {
  readonly #config: pg.ClientConfig;
  readonly #size: number;
  readonly #onError: (error: Error) => void;
  readonly #options: LaneOptions;
  #lanes: Lane[] = [];
  #ended = false;

  constructor(
    config: pg.ClientConfig,
    size: number,
    onError: (error: Error) => void = () => {},
    options: Partial<LaneOptions> = {},
  ) {
    this.#config = config;
    this.#size = size;
    this.#onError = onError;
    this.#options = {
      settings: options.settings ?? {},
      preparedPerLane: options.preparedPerLane ?? Infinity,
      answerTimeoutMs: options.answerTimeoutMs ?? LANE_ANSWER_TIMEOUT_MS,
    };
  }

  /** How many lanes are open now (a lane opens when every open one has a lookup in flight). */
  get lanes(): number {
    return this.#lanes.length;
  }

  query(name: string, text: string, values: readonly unknown[] | undefined): Promise<pg.QueryResult> {
    if (this.#ended) return Promise.reject(new Error('this pipeline has been ended'));
    return this.#pick().query(name, text, values);
  }

  async end(): Promise<void> {
    this.#ended = true;
    const lanes = this.#lanes;
    this.#lanes = [];
    await Promise.all(lanes.map((lane) => lane.end()));
  }

  /** The lane with the fewest lookups in flight; a new one while there is room and none is idle. */
  #pick(): Lane {
    let best: Lane | undefined;
    for (const lane of this.#lanes) if (best === undefined || lane.pending < best.pending) best = lane;
    if (best !== undefined && (best.pending === 0 || this.#lanes.length >= this.#size)) return best;
    const lane = new Lane(this.#config, this.#options, (retired, error) => {
      this.#lanes = this.#lanes.filter((other) => other !== retired);
      if (error !== undefined) this.#onError(error);
    });
    this.#lanes.push(lane);
    return lane;
  }
}

/**
 * Whether, after this error, a connection's prepared statements cannot be trusted: the statement
 * is gone (26000: a pooler moved us to another server connection), already there (42P05:
 * likewise), or its plan no longer fits the table (0A000: "cached plan must not change result
 * type").
 */
export function isStaleStatement(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '26000' || code === '42P05' || code === '0A000';
}

/**
 * How long a lane waits for the answer to a statement before it gives the connection up (default
 * of `answerTimeoutMs`). Everything on a lane is short by design (a lookup by key, a search page,
 * a write that does not wait on row locks), so an answer this late means the connection stopped
 * answering: the network went silent under it, or the server hung. Without the bound, every
 * statement given to that lane since would wait as long as the operating system keeps the
 * connection (about 15 minutes), while the lane kept taking more. On the timeout pg destroys the
 * connection: the statement fails with 'Query read timeout', the others in flight with
 * 'Connection terminated unexpectedly', and the lane is retired.
 */
export const LANE_ANSWER_TIMEOUT_MS = 15_000;
/** pg's message for a statement past its `query_timeout`. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

export interface LaneOptions {
  /**
   * Set on each lane's session once it has connected, before its first statement (`set_config`,
   * not the startup packet: the connection string's own `options`, and poolers that refuse startup
   * options, stay as they are).
   */
  readonly settings: Readonly<Record<string, string>>;
  /** See LANE_ANSWER_TIMEOUT_MS. */
  readonly answerTimeoutMs: number;
  /**
   * How many statement texts a lane prepares (by their names); the rest go unnamed. Unbounded for
   * lookups, whose texts are as many as their call sites; bounded where the text varies with the
   * input (a unit of work's writes).
   */
  readonly preparedPerLane: number;
}

type Retire = (lane: Lane, error?: Error) => void;
type Corkable = { cork(): void; uncork(): void };

/** One pipelined connection. */
class Lane {
  readonly #client: pg.Client;
  readonly #retire: Retire;
  /** The names prepared on this lane, when they are counted (`preparedPerLane`). */
  readonly #prepared: PreparedNames | undefined;
  #connecting: Promise<void> | undefined;
  #corked = false;
  #retired = false;
  #ending: Promise<void> | undefined;
  pending = 0;

  constructor(
    config: pg.ClientConfig,
    { settings, preparedPerLane, answerTimeoutMs }: LaneOptions,
    retire: Retire,
  ) {
    this.#client = new pg.Client({ ...config, pipeline: true, query_timeout: answerTimeoutMs });
    this.#retire = retire;
    this.#prepared = preparedPerLane === Infinity ? undefined : new PreparedNames(preparedPerLane);
    // A broken socket fails the lookups in flight (they reject on their own); the lane goes.
    this.#client.on('error', (error) => this.#leave(error));
    this.#connecting = this.#client
      .connect()
      .then(() =>
        Promise.all(
          Object.entries(settings).map(([name, value]) =>
            this.#client.query({ text: 'select set_config($1, $2, false)', values: [name, value] }),
          ),
        ),
      )
      .then(
        () => {
          this.#connecting = undefined;
        },
        (error: Error) => {
          this.#leave(error);
          throw error;
        },
      );
  }

  async query(name: string, text: string, values: readonly unknown[] | undefined): Promise<pg.QueryResult> {
    this.pending += 1;
    try {
      if (this.#connecting !== undefined) await this.#connecting;
      this.#cork();
      const prepareAs = this.#prepared === undefined ? name : this.#prepared.take(name);
      return await this.#client.query({ name: prepareAs, text, values: values as unknown[] });
    } catch (error) {
      if (isStaleStatement(error)) this.#leave();
      // pg is destroying the connection (LANE_ANSWER_TIMEOUT_MS); until its socket closes, this
      // lane must take no more statements, which would fail with it.
      else if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) this.#leave(error);
      throw error;
    } finally {
      this.pending -= 1;
      if (this.#retired && this.pending === 0) void this.end();
    }
  }

  end(): Promise<void> {
    this.#retired = true;
    // Not while connecting: pg would never answer the connect, nor the lookups waiting for it.
    this.#ending ??= (this.#connecting ?? Promise.resolve())
      .catch(() => {})
      .then(() => this.#client.end())
      .catch(() => {});
    return this.#ending;
  }

  /**
   * Lookups issued in this turn of the event loop leave in one write: corked until its check
   * phase, after every I/O callback of the turn has run (a tick would hold only the lookups of one
   * request; measured, the turn doubled the book lookup's rate on a busy machine).
   */
  #cork(): void {
    if (this.#corked) return;
    // pg keeps its socket here (undeclared in its types); its own writes cork and uncork around
    // each message group, which nests inside this.
    const stream = (this.#client as unknown as { connection: { stream: Corkable } }).connection.stream;
    this.#corked = true;
    stream.cork();
    setImmediate(() => {
      this.#corked = false;
      stream.uncork();
    });
  }

  /** Takes no new lookups; ends once those in flight are answered. */
  #leave(error?: Error): void {
    if (this.#retired) return;
    this.#retired = true;
    this.#retire(this, error);
    if (this.pending === 0) void this.end();
  }
}
