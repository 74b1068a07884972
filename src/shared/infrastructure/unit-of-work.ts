import type { ControlledTransaction, InsertObject, Kysely, UpdateObject } from 'kysely';
import type { UnitOfWork, UnitOfWorkFactory } from '../application/unit-of-work.ts';
import type { AggregateRoot } from '../domain/aggregate-root.ts';
import { ConcurrencyError } from '../domain/domain-error.ts';
import type { DomainEvent } from '../domain/domain-event.ts';
import { PgErrorCode, sqlState } from './database.ts';
import { preparedIfRoom, preparedWrite } from './prepared-statements.ts';
import { RecentRaces } from './recent-races.ts';
import {
  asOneStatement,
  InsertWrite,
  LostCheck,
  oneByOne,
  oneStatementFor,
  type PendingWrite,
  targetOf,
  translated,
  VersionedUpdateWrite,
  type WriteOptions,
  type WriteQuery,
} from './write-statements.ts';

/** Remembers the aggregates a unit of work's repositories handed out or stored. */
export class AggregateTracker {
  readonly #aggregates = new Set<AggregateRoot>();

  track<A extends AggregateRoot>(aggregate: A): A {
    this.#aggregates.add(aggregate);
    return aggregate;
  }

  /** Every recorded event, in the order it was recorded (Snowflake ids increase), taken off the aggregates. */
  pullEvents(): DomainEvent[] {
    return inOrder([...this.#aggregates].flatMap((aggregate) => aggregate.pullEvents()));
  }

  /** The same events, left on the aggregates (until `pullEvents`, once they are stored). */
  recordedEvents(): DomainEvent[] {
    return inOrder([...this.#aggregates].flatMap((aggregate) => aggregate.recordedEvents));
  }
}

function inOrder(events: DomainEvent[]): DomainEvent[] {
  return events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The database side of one unit of work, as its repositories see it.
 *
 * - `write` queues an INSERT, UPDATE or DELETE. At commit, every queued write (the outbox's
 *   included) goes to the server as **one statement**, each write a data-modifying CTE
 *   (`with w0 as (insert …), w1 as (update …) select …`): one round trip however many tables
 *   the command touches. PostgreSQL runs a statement's CTEs against one snapshot and checks
 *   foreign keys at its end, so they cannot see or need each other. That is also why writes that
 *   could meet in one table (an UPDATE, DELETE or upsert together with any other write of that
 *   table) go one statement each, in order, instead: one statement cannot see its own insert, must
 *   not change a row twice, and checks unique keys row by row in no set order.
 * - `insert` queues an INSERT the same way; one of plain values is bound to a text made once for
 *   its shape instead of being built by Kysely each time (`plainInsert`, docs/adr/0005).
 * - `transaction()` is for reads that lock rows (`FOR UPDATE`) and writes whose answer the
 *   command needs at once. It begins the transaction on first use, and sends the queued
 *   writes first, so what it reads includes them.
 * - `reader()` is for plain reads: outside the transaction until one was begun. (Under READ
 *   COMMITTED a transaction gives reads no common snapshot anyway, only writes atomicity and
 *   locks a lifetime.)
 * - `forChange(key)` is for loading an aggregate the command may change and whose save checks its
 *   version. On an optimistic scope (the first attempt of a unit of work that owns its
 *   transaction) it is a plain read, and the versioned save is the guard; otherwise it is in the
 *   transaction and the caller locks what it reads (`FOR UPDATE`).
 *
 * Version-checked writes sent together fail together: their counts go through
 * `shared.expect_one_row_each`, which raises when one of them changed no row, so the statement
 * changes nothing. So a command that creates, or loads and changes an aggregate, is one
 * autocommitted statement after its reads; only when the optimistic attempt loses a race does
 * the unit of work run again locked: BEGIN, SELECT … FOR UPDATE, one write, COMMIT.
 *
 * Made on a transaction (an event delivery), the scope joins it: writes are sent at `commit`,
 * the owner of the transaction commits. `UnitOfWorkScope.immediate` sends each write at once,
 * for repository tests without a unit of work.
 */
export class UnitOfWorkScope {
  readonly #db: Kysely<unknown>;
  readonly #ownsTransaction: boolean;
  readonly #immediate: boolean;
  readonly #optimistic: boolean;
  readonly #recentRaces: RecentRaces | undefined;
  /** The keys of the `forChange` reads that went without their lock. */
  readonly #unlocked: string[] = [];
  /** Why the work should run again locked, once a write failed in a way a lock would avoid. */
  #rerunLocked: LockedRerunReason | undefined;
  /** The transaction this scope began (a promise: concurrent first reads must share one). */
  #transaction: Promise<ControlledTransaction<unknown>> | undefined;
  #pending: PendingWrite[] = [];
  /** The writes being sent: a read waits for them, and so does the next send. */
  #sending: Promise<void> = Promise.resolve();
  #undo: (() => void)[] = [];
  #closed = false;

  private constructor(db: Kysely<unknown>, immediate: boolean, options: ScopeOptions) {
    this.#db = db;
    this.#ownsTransaction = !db.isTransaction && !immediate;
    this.#immediate = immediate;
    this.#optimistic = (options.optimistic ?? false) && this.#ownsTransaction;
    this.#recentRaces = options.recentRaces;
  }

  /**
   * The scope of a unit of work made on `db`: its own lazy transaction, or `db`'s when it is one.
   * `optimistic` (only for its own transaction): `forChange` reads take no locks, but for the
   * aggregates `recentRaces` says lost a race lately.
   */
  static of(db: Kysely<unknown>, options: ScopeOptions = {}): UnitOfWorkScope {
    return new UnitOfWorkScope(db, false, options);
  }

  /** Every write is sent when it is made: for repositories used without a unit of work. */
  static immediate(db: Kysely<unknown>): UnitOfWorkScope {
    return new UnitOfWorkScope(db, true, {});
  }

  /** The keys given to `forChange` reads that took no lock: the aggregates a lost race concerns. */
  get readUnlocked(): readonly string[] {
    return this.#unlocked;
  }

  /**
   * Set once a write failed in a way the locked attempt would not, so the unit of work runs again
   * with locks: `lost_race` when the failure (a lost version check, or a key another command took
   * since the read) came after a `forChange` read took no lock; `lock_on_lane` when the optimistic
   * statement, on a write lane, gave up on a lock another transaction held (the locked attempt, on
   * a pooled connection, waits for it). Undefined otherwise.
   */
  get rerunReason(): LockedRerunReason | undefined {
    return this.#rerunLocked;
  }

  async transaction<DB>(): Promise<Kysely<DB>> {
    this.#open();
    const db = await this.#begun();
    await this.#flush(db);
    return db as Kysely<DB>;
  }

  async reader<DB>(): Promise<Kysely<DB>> {
    this.#open();
    if (this.#transaction !== undefined || this.#pending.length > 0) return this.transaction<DB>();
    await this.#sending;
    return this.#db as Kysely<DB>;
  }

  /**
   * For loading an aggregate the command may change and whose save checks its version (with
   * `saveVersioned`, or a write with `expectOneRow`); `key` names it ("project:123"). `lock` says
   * whether to read it `FOR UPDATE`:
   * - optimistic scope: false, and `db` is `reader()`'s. No transaction is begun, a prepared
   *   lookup takes a pipelined lane, and the version check at commit is the guard;
   * - otherwise, or when the aggregate lost a race lately (`RecentRaces`): true, and `db` is the
   *   transaction, so a concurrent command waits for this one (and sees its changes) instead of
   *   losing its version check.
   *
   * Only for an aggregate the command saves when it changes it: nothing checks an unlocked read
   * of an aggregate that is only consulted (read that one with `transaction()`, locked). And read
   * what the aggregate's rules need in one statement: two unlocked reads may see two moments, and
   * a rule refused on such a torn state writes nothing for a version check to catch.
   */
  async forChange<DB>(key: string): Promise<{ readonly db: Kysely<DB>; readonly lock: boolean }> {
    if (!this.#optimistic || this.#recentRaces?.contended(key) === true) {
      return { db: await this.transaction<DB>(), lock: true };
    }
    this.#unlocked.push(key);
    return { db: await this.reader<DB>(), lock: false };
  }

  /** Queues a write, built on `db` (which only builds: the scope decides where it runs). */
  async write<DB>(build: (db: Kysely<DB>) => WriteQuery, options: WriteOptions = {}): Promise<void> {
    this.#open();
    const query = build(this.#db as Kysely<DB>);
    await this.#queue({ query, ...options, target: targetOf(query.toOperationNode()) });
  }

  /**
   * Queues an INSERT of `rows` into `table`, as `write` would. Rows of plain values that name the
   * same columns in the same order are a plain INSERT (`plainInsert`): its statement is bound to a
   * text made once, instead of being built and compiled again on every call.
   */
  async insert<DB, Table extends keyof DB & string>(
    table: Table,
    rows: InsertObject<DB, Table> | readonly InsertObject<DB, Table>[],
    options: Pick<WriteOptions, 'translateError'> = {},
  ): Promise<void> {
    this.#open();
    const list = (Array.isArray(rows) ? rows : [rows]) as readonly Record<string, unknown>[];
    await this.#queue(new InsertWrite(this.#db, table, list, options));
  }

  /**
   * Queues the UPDATE that saves a loaded aggregate to `table`, with the optimistic version check:
   * it sets `values` and the next version, `WHERE id = … AND version = …` with the version the
   * aggregate was loaded at, expects one row (else `ConcurrencyError` naming `what`: someone saved
   * it since) and marks it saved. With plain values (no expression) it is a plain write
   * (`plainUpdate`): bound to a text made once per shape, instead of built and compiled each time.
   */
  async saveVersioned<DB, Table extends keyof DB & string>(
    aggregate: AggregateRoot,
    what: string,
    table: Table,
    values: Omit<UpdateObject<DB, Table>, 'id' | 'version'>,
    options: Pick<WriteOptions, 'translateError'> = {},
  ): Promise<void> {
    this.#open();
    const id = aggregate.id.toString();
    const version = aggregate.version;
    const set = { ...(values as Record<string, unknown>), version: version + 1 };
    await this.#queue(
      new VersionedUpdateWrite(
        this.#db,
        table,
        { id, version, set },
        { ...options, expectOneRow: () => new ConcurrencyError(what, id) },
      ),
    );
    this.markSaved(aggregate, version + 1);
  }

  /** Adds a write to the statement sent at commit; an immediate scope sends it at once. */
  async #queue(write: PendingWrite): Promise<void> {
    this.#pending.push(write);
    if (this.#immediate) await this.#flush(this.#db);
  }

  /**
   * Marks an aggregate as stored at `version` now, so that a later write of the same command
   * builds on it, and puts its old version back if the unit of work rolls back.
   */
  markSaved(aggregate: AggregateRoot, version: number): void {
    const before = aggregate.version;
    aggregate.markSaved(version);
    this.#undo.push(() => aggregate.markSaved(before));
  }

  /** Sends the queued writes and commits the transaction this scope began, if any. The scope ends. */
  async commit(): Promise<void> {
    this.#open();
    await this.#sending;
    await this.#flush(this.#fitsOneAutocommittedStatement() ? this.#db : await this.#begun());
    this.#closed = true;
    await (await this.#transaction)?.commit().execute();
    this.#transaction = undefined;
  }

  /**
   * Forgets the queued writes and rolls back the transaction this scope began, if any. It never
   * throws: it runs after a failure, whose error is the one worth reporting (a failed ROLLBACK
   * still releases the connection).
   */
  async rollback(): Promise<void> {
    this.#closed = true;
    this.#pending = [];
    await this.#sending.catch(() => undefined);
    for (const undo of this.#undo.reverse()) undo();
    this.#undo = [];
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await transaction?.then((begun) => begun.rollback().execute()).catch(() => undefined);
  }

  #open(): void {
    if (this.#closed) throw new Error('This unit of work has ended: its scope takes no more reads or writes');
  }

  /** Sends the queued writes after those already on their way (concurrent callers share the order). */
  #flush(db: Kysely<unknown>): Promise<void> {
    const sent = this.#sending.then(() => this.#send(db));
    this.#sending = sent.catch(() => undefined);
    return sent;
  }

  async #begun(): Promise<Kysely<unknown>> {
    if (!this.#ownsTransaction) return this.#db;
    if (this.#transaction === undefined) {
      this.#open(); // a straggler after the end must not begin a transaction nobody ends
      this.#transaction = this.#db.startTransaction().execute();
    }
    return this.#transaction;
  }

  /**
   * One statement is atomic by itself, row checks included (a failed check fails the statement):
   * no BEGIN and COMMIT are needed when the writes fit in one.
   */
  #fitsOneAutocommittedStatement(): boolean {
    return this.#ownsTransaction && this.#transaction === undefined && oneStatementFor(this.#pending);
  }

  async #send(db: Kysely<unknown>): Promise<void> {
    const writes = this.#pending;
    if (writes.length === 0) return;
    this.#pending = [];
    // The optimistic attempt's one autocommitted statement may take a write lane (docs/adr/0005).
    const optimisticStatement = this.#optimistic && db === this.#db;
    try {
      const changed = oneStatementFor(writes)
        ? await asOneStatement(db, writes, optimisticStatement ? preparedWrite : preparedIfRoom)
        : await oneByOne(db, writes);
      const lost = writes.find((write, i) => write.expectOneRow !== undefined && changed[i] !== 1);
      if (lost !== undefined) throw new LostCheck(lost);
    } catch (error) {
      const domainError =
        error instanceof LostCheck ? error.write.expectOneRow!() : translated(error, writes);
      // Only what a race explains: a lost check, or a key or reference another command changed
      // since the read. Never an error without a SQLSTATE (a dropped connection: the statement
      // may have committed, and running the command again would apply it twice), nor one a write
      // translates into a domain answer, nor one that would only repeat (a timeout, a check).
      const raced = error instanceof LostCheck || (domainError === error && RACES.has(sqlState(error) ?? ''));
      if (raced && this.#unlocked.length > 0) this.#rerunLocked = 'lost_race';
      // It never waited for a lock, and failed whole: the locked attempt waits, on a pooled connection.
      if (optimisticStatement && domainError === error && GAVE_UP_ON_A_LOCK.has(sqlState(error) ?? '')) {
        this.#rerunLocked = 'lock_on_lane';
      }
      throw domainError;
    }
  }
}

/** Failures a concurrent command can cause after an unlocked read: worth the locked re-run. */
const RACES = new Set<string>([
  PgErrorCode.uniqueViolation,
  PgErrorCode.foreignKeyViolation,
  PgErrorCode.deadlockDetected,
  PgErrorCode.serializationFailure,
]);

/**
 * How an optimistic statement on a write lane fails when it meets a lock (docs/adr/0007): 55P03
 * from its `lock_timeout`; or, when the lock was a table's and the statement's first use on the
 * lane, 26000 for the statements of the same text sent right behind it (pg parses a named
 * statement once, and its Parse is what timed out). Either way it never ran.
 */
const GAVE_UP_ON_A_LOCK = new Set<string>([PgErrorCode.lockNotAvailable, PgErrorCode.statementNotPrepared]);

/** Why a unit of work ran its work again locked. */
export type LockedRerunReason = 'lost_race' | 'lock_on_lane';
/** Why a unit of work ran its work again: locked, or after PostgreSQL aborted it for timing (`transient`). */
export type RerunReason = LockedRerunReason | 'transient';

/** Told each time a unit of work runs its work again (the metrics count them). */
export interface UnitOfWorkObserver {
  rerun(reason: RerunReason): void;
}

export interface UnitOfWorkOptions {
  /** Shared by the units of work of one factory. */
  readonly recentRaces?: RecentRaces;
  readonly observer?: UnitOfWorkObserver;
}

export interface ScopeOptions {
  readonly optimistic?: boolean;
  readonly recentRaces?: RecentRaces;
}

/** Where a unit of work's events go (the outbox): queued with its writes, announced after commit. */
export interface EventRecorder {
  record(scope: UnitOfWorkScope, events: readonly DomainEvent[]): Promise<void>;
  committed(events: readonly DomainEvent[]): void;
}

export type RepositoriesFactory<Repositories> = (
  scope: UnitOfWorkScope,
  tracker: AggregateTracker,
) => Repositories;

/**
 * The Kysely unit of work: one `UnitOfWorkScope` per `run`. Repositories read and queue writes
 * through it and report the aggregates they touch to the tracker; at the end, their recorded
 * events join the queued writes (the outbox rows go to the server in the same statement as the
 * state they describe) and the scope commits. Made on a transaction (an event delivery), the work
 * joins it and the outer owner commits.
 *
 * The first attempt is optimistic: aggregates loaded `forChange` are read without locks (most
 * commands meet no other writer of their aggregate, and then pay for no transaction). Should its
 * writes fail after such a read (a lost version check, or a key taken since the read), the work
 * runs again at once with locks, which waits a racing command out instead of refusing: the
 * answer is the one the locked attempt gives. Aggregates whose repositories never lock keep plain
 * optimistic concurrency: a lost version check is a `ConcurrencyError` (409).
 *
 * When PostgreSQL aborts the transaction to break a deadlock (40P01) or a serialization conflict
 * (40001), which says nothing about the command and everything about timing, the work runs again
 * from the start (up to `ATTEMPTS` times, after a short random pause): it loads fresh aggregates,
 * and an aggregate handed in from outside keeps its events until they are stored. A joined unit of
 * work leaves that to the owner of the transaction (the relay retries the delivery), and is never
 * optimistic: its reads lock in the owner's transaction.
 */
export class KyselyUnitOfWork<Repositories> implements UnitOfWork<Repositories> {
  readonly #db: Kysely<unknown>;
  readonly #repositories: RepositoriesFactory<Repositories>;
  readonly #outbox: EventRecorder;
  readonly #recentRaces: RecentRaces | undefined;
  readonly #observer: UnitOfWorkObserver | undefined;
  #used = false;

  constructor(
    db: Kysely<unknown>,
    repositories: RepositoriesFactory<Repositories>,
    outbox: EventRecorder,
    options: UnitOfWorkOptions = {},
  ) {
    this.#db = db;
    this.#repositories = repositories;
    this.#outbox = outbox;
    this.#recentRaces = options.recentRaces;
    this.#observer = options.observer;
  }

  async run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    if (this.#used) throw new Error('A unit of work runs once; make a new one per command');
    this.#used = true;
    let optimistic = !this.#db.isTransaction;
    for (let attempt = 1; ; attempt += 1) {
      const scope = UnitOfWorkScope.of(this.#db, {
        optimistic,
        ...(this.#recentRaces ? { recentRaces: this.#recentRaces } : {}),
      });
      try {
        return await this.#attempt(work, scope);
      } catch (error) {
        if (optimistic && scope.rerunReason !== undefined) {
          this.#observer?.rerun(scope.rerunReason);
          this.#recentRaces?.lost(scope.readUnlocked);
          // Not counted: the locked attempt is the real one.
          optimistic = false;
          attempt -= 1;
          continue;
        }
        const transient = TRANSIENT.has(sqlState(error) ?? '');
        if (!transient || this.#db.isTransaction || attempt >= ATTEMPTS) throw error;
        this.#observer?.rerun('transient');
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  async #attempt<T>(work: (repositories: Repositories) => Promise<T>, scope: UnitOfWorkScope): Promise<T> {
    const tracker = new AggregateTracker();
    let value: T;
    let events: DomainEvent[];
    try {
      value = await work(this.#repositories(scope, tracker));
      events = tracker.recordedEvents();
      await this.#outbox.record(scope, events);
      await scope.commit();
    } catch (error) {
      await scope.rollback();
      throw error;
    }
    tracker.pullEvents(); // stored: off the aggregates
    // Committed: whatever a listener does now cannot undo it.
    if (!this.#db.isTransaction) this.#outbox.committed(events);
    return value;
  }
}

/** A unit of work runs this many times at most when PostgreSQL aborts it for timing alone. */
const ATTEMPTS = 3;
const TRANSIENT = new Set<string>([PgErrorCode.deadlockDetected, PgErrorCode.serializationFailure]);

/**
 * Units of work on `db`; they share one memory of the aggregates that lost races lately, and tell
 * `observer` when they run their work again.
 */
export function kyselyUnitOfWorkFactory<Repositories>(
  db: Kysely<unknown>,
  repositories: RepositoriesFactory<Repositories>,
  outbox: EventRecorder,
  observer?: UnitOfWorkObserver,
): UnitOfWorkFactory<Repositories> {
  const recentRaces = new RecentRaces();
  return () =>
    new KyselyUnitOfWork(db, repositories, outbox, { recentRaces, ...(observer ? { observer } : {}) });
}
