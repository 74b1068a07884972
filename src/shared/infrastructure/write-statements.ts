import {
  type CompiledQuery,
  type DeleteQueryBuilder,
  type InsertQueryBuilder,
  type Kysely,
  type OperationNode,
  sql,
  type UpdateQueryBuilder,
} from 'kysely';
import { errorDetail, PgErrorCode, sqlState } from './database.ts';
import { preparedIfRoom } from './prepared-statements.ts';
import { StatementsByShape } from './statements-by-shape.ts';

/**
 * How a unit of work's queued writes become statements (docs/adr/0005): as one statement of
 * data-modifying CTEs when they fit one, else one by one; the version-checked ones counted, so that
 * a lost check fails the statement whole (`LostCheck`).
 */

// biome-ignore lint/suspicious/noExplicitAny: a write may target any table of any schema.
export type AnyRow = any;
/** An INSERT, UPDATE or DELETE, built but not run; without a WITH of its own (CTEs do not nest writes). */
export type WriteQuery =
  | InsertQueryBuilder<AnyRow, AnyRow, AnyRow>
  | UpdateQueryBuilder<AnyRow, AnyRow, AnyRow, AnyRow>
  | DeleteQueryBuilder<AnyRow, AnyRow, AnyRow>;

export interface WriteOptions {
  /** The write must change exactly one row, or this is thrown (an optimistic version check lost). */
  readonly expectOneRow?: () => Error;
  /** A constraint violation the write may cause, as a domain error; undefined when not its own. */
  readonly translateError?: (error: unknown) => Error | undefined;
}

export interface PendingWrite extends WriteOptions {
  readonly query: WriteQuery;
  /** The "schema.table" it writes, and whether it may change rows already there. */
  readonly target: WriteTarget;
  /**
   * Set for an INSERT or a versioned UPDATE of plain values (`plainInsert`, `plainUpdate`): its
   * statement's text is made once per shape.
   */
  readonly plain?: PlainWrite;
}

/**
 * A write of plain values (no `undefined`, no SQL expression), whose text depends only on its
 * `shape` and whose parameters are those values in order:
 * - an INSERT of rows that all name the same columns, in the same order: Kysely renders each value
 *   as the next parameter, row after row; the shape is the table, the columns and the row count;
 * - an aggregate's versioned UPDATE (`set …` then `where id = … and version = …`): the values set,
 *   then the id and the version loaded; the shape is the table and the columns set.
 */
export interface PlainWrite {
  readonly shape: string;
  readonly parameters: readonly unknown[];
}

/**
 * A queued INSERT of `rows` into `table`: plain when its rows allow it (`plainInsert`), its Kysely
 * query built only where the plain text cannot serve (with other writes, one by one).
 */
export class InsertWrite implements PendingWrite {
  readonly target: WriteTarget;
  readonly plain: PlainWrite | undefined;
  readonly translateError: ((error: unknown) => Error | undefined) | undefined;
  readonly #db: Kysely<AnyRow>;
  readonly #rows: readonly Record<string, unknown>[];
  #query: WriteQuery | undefined;

  /** No `expectOneRow`: a plain INSERT stores all its rows or fails; it has no check to lose. */
  constructor(
    db: Kysely<unknown>,
    table: string,
    rows: readonly Record<string, unknown>[],
    options: Pick<WriteOptions, 'translateError'>,
  ) {
    this.target = { table, changesRows: false };
    this.plain = plainInsert(table, rows);
    this.translateError = options.translateError;
    this.#db = db as Kysely<AnyRow>;
    this.#rows = rows;
  }

  get query(): WriteQuery {
    this.#query ??= this.#db.insertInto(this.target.table).values(this.#rows as AnyRow);
    return this.#query;
  }
}

/**
 * A queued UPDATE of one aggregate's row, `set` to the new values (its next version included), with
 * the optimistic check `where id = … and version = …` (the version it was loaded at): plain when
 * every value is (`plainUpdate`), its Kysely query built only where the plain text cannot serve.
 */
export class VersionedUpdateWrite implements PendingWrite {
  readonly target: WriteTarget;
  readonly plain: PlainWrite | undefined;
  readonly expectOneRow: () => Error;
  readonly translateError: ((error: unknown) => Error | undefined) | undefined;
  readonly #db: Kysely<AnyRow>;
  readonly #set: Readonly<Record<string, unknown>>;
  readonly #id: string;
  readonly #version: number;
  #query: WriteQuery | undefined;

  constructor(
    db: Kysely<unknown>,
    table: string,
    row: { readonly id: string; readonly version: number; readonly set: Readonly<Record<string, unknown>> },
    options: Pick<WriteOptions, 'translateError'> & { readonly expectOneRow: () => Error },
  ) {
    this.target = { table, changesRows: true };
    this.plain = plainUpdate(table, row.set, row.id, row.version);
    this.expectOneRow = options.expectOneRow;
    this.translateError = options.translateError;
    this.#db = db as Kysely<AnyRow>;
    this.#set = row.set;
    this.#id = row.id;
    this.#version = row.version;
  }

  get query(): WriteQuery {
    this.#query ??= this.#db
      .updateTable(this.target.table)
      .set(this.#set as AnyRow)
      .where('id', '=', this.#id)
      .where('version', '=', this.#version);
    return this.#query;
  }
}

/** The versioned UPDATE's plain form, or undefined when a value is an expression or undefined. */
export function plainUpdate(
  table: string,
  set: Readonly<Record<string, unknown>>,
  id: string,
  version: number,
): PlainWrite | undefined {
  const columns = Object.keys(set);
  if (columns.length === 0) return undefined;
  const parameters: unknown[] = [];
  for (const column of columns) {
    const value = set[column];
    if (!isPlainValue(value)) return undefined;
    parameters.push(value);
  }
  parameters.push(id, version);
  return { shape: `update ${table} set ${columns.join(',')} where id,version`, parameters };
}

/** The rows' plain INSERT, or undefined when a row differs in its columns or holds an expression. */
export function plainInsert(table: string, rows: readonly Record<string, unknown>[]): PlainWrite | undefined {
  const columns = Object.keys(rows[0] ?? {});
  if (columns.length === 0) return undefined;
  const parameters: unknown[] = [];
  for (const row of rows) {
    const keys = Object.keys(row);
    if (keys.length !== columns.length) return undefined;
    for (let i = 0; i < keys.length; i += 1) {
      const value = row[keys[i]!];
      if (keys[i] !== columns[i] || !isPlainValue(value)) return undefined;
      parameters.push(value);
    }
  }
  return { shape: `${table}(${columns.join(',')})x${rows.length}`, parameters };
}

/** What Kysely binds as one parameter: not undefined (left out), a function or an expression. */
function isPlainValue(value: unknown): boolean {
  if (value === undefined || typeof value === 'function') return false;
  return (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { toOperationNode?: unknown }).toOperationNode !== 'function'
  );
}

/**
 * The statements made only of plain writes, by their shapes: a command that creates or changes an
 * aggregate (its row and its events) builds and compiles its statement with Kysely once, then binds.
 */
const PLAIN_STATEMENTS = new StatementsByShape({ limit: 1_000 });

/**
 * The key of a statement made only of plain writes, else undefined. A versioned UPDATE is always
 * checked, an INSERT never, so the shapes also say which writes the statement counts.
 */
function plainShape(writes: readonly PendingWrite[]): string | undefined {
  let shape = '';
  for (const write of writes) {
    if (write.plain === undefined) return undefined;
    shape += `${write.plain.shape};`;
  }
  return shape;
}

export interface WriteTarget {
  readonly table: string;
  /** An UPDATE, a DELETE or an upsert; false for a plain INSERT. */
  readonly changesRows: boolean;
}

/** A version-checked write changed no row (the scope turns it into the write's own error). */
export class LostCheck extends Error {
  readonly write: PendingWrite;

  constructor(write: PendingWrite) {
    super('a version-checked write changed no row');
    this.write = write;
  }
}

/** The domain error a write's `translateError` makes of a failure, else the failure itself. */
export function translated(error: unknown, writes: readonly PendingWrite[]): unknown {
  for (const write of writes) {
    const domainError = write.translateError?.(error);
    if (domainError !== undefined) return domainError;
  }
  return error;
}

const UNKNOWN_TABLE = '?';

/**
 * Writes fit one statement unless two of them could meet in one table: any table written more than
 * once with an UPDATE, DELETE or upsert among its writes (plain INSERTs of one table are fine).
 */
export function oneStatementFor(writes: readonly PendingWrite[]): boolean {
  const byTable = new Map<string, { count: number; changesRows: boolean }>();
  for (const { target } of writes) {
    if (target.table === UNKNOWN_TABLE) return false;
    const seen = byTable.get(target.table) ?? { count: 0, changesRows: false };
    byTable.set(target.table, { count: seen.count + 1, changesRows: seen.changesRows || target.changesRows });
  }
  return [...byTable.values()].every((table) => table.count === 1 || !table.changesRows);
}

/**
 * The rows each write changed. With several writes, the version-checked ones are counted by
 * `shared.expect_one_row_each`, which fails the statement when one changed none: that is thrown
 * as `LostCheck` for that write, and nothing was written. Only the checked writes are read by the
 * final SELECT, so PostgreSQL's executor runs them first and the others (run once the SELECT is
 * done) do not start when a check fails. PostgreSQL documents that order as unpredictable: should
 * it change, an INSERT that meets the winner's row fails with a unique violation instead, which
 * sends the command to its locked re-run just the same.
 */
export async function asOneStatement(
  db: Kysely<unknown>,
  writes: readonly PendingWrite[],
  mark: <R>(query: CompiledQuery<R>) => CompiledQuery<R>,
): Promise<number[]> {
  const checked = writes.flatMap((write, i) => (write.expectOneRow === undefined ? [] : [i]));
  const compile = (): CompiledQuery =>
    writes.length === 1 ? writes[0]!.query.compile() : withCtes(db, writes, checked);
  const shape = plainShape(writes);
  const statement =
    shape === undefined
      ? compile()
      : PLAIN_STATEMENTS.bindInOrder(
          shape,
          writes.flatMap((write) => write.plain!.parameters),
          compile,
        );
  if (writes.length === 1) {
    const result = await db.executeQuery(mark(statement));
    return [Number(result.numAffectedRows ?? 0)];
  }
  try {
    // Prepared: one command shape gives one text, and planning a CTE of writes costs more than running it.
    await db.executeQuery(mark(statement));
  } catch (error) {
    if (sqlState(error) !== PgErrorCode.rowCheckFailed) throw error;
    // DETAIL is the position of the write that lost; without it, the first checked write stands for it.
    const position = Number(errorDetail(error));
    throw new LostCheck(writes[checked[position - 1] ?? checked[0]!]!);
  }
  // Every checked write changed its one row, or the statement would have failed.
  return writes.map(() => 1);
}

/** `with w0 as (…), w1 as (…) select …`: the checked writes (by position) counted by the final SELECT. */
function withCtes(
  db: Kysely<unknown>,
  writes: readonly PendingWrite[],
  checked: readonly number[],
): CompiledQuery {
  const name = (i: number) => sql.id(`w${i}`);
  const ctes = writes.map((write, i) => {
    const counted = write.expectOneRow === undefined ? write.query : returningOne(write.query);
    return sql`${name(i)} as (${counted})`;
  });
  const counts = checked.map((i) => sql`(select count(*) from ${name(i)})::int`);
  const select =
    checked.length === 0 ? sql`select 1` : sql`select shared.expect_one_row_each(array[${sql.join(counts)}])`;
  return sql`with ${sql.join(ctes)} ${select}`.compile(db);
}

export async function oneByOne(db: Kysely<unknown>, writes: readonly PendingWrite[]): Promise<number[]> {
  const changed: number[] = [];
  for (const write of writes) {
    const result = await db.executeQuery(preparedIfRoom(write.query.compile()));
    changed.push(Number(result.numAffectedRows ?? 0));
  }
  return changed;
}

function returningOne(query: WriteQuery): WriteQuery {
  return (query as InsertQueryBuilder<AnyRow, AnyRow, AnyRow>).returning(sql<number>`1`.as('one'));
}

/** The table a write targets ("schema.table"; writes here always name their schema). */
export function targetOf(node: OperationNode): WriteTarget {
  const query = node as unknown as {
    table?: OperationNode;
    from?: { froms: OperationNode[] };
    into?: OperationNode;
    onConflict?: { updates?: unknown };
  };
  const [target, changesRows] =
    node.kind === 'UpdateQueryNode'
      ? [query.table, true]
      : node.kind === 'DeleteQueryNode'
        ? [query.from?.froms[0], true]
        : [query.into, query.onConflict?.updates !== undefined];
  const table = (
    target?.kind === 'AliasNode' ? (target as unknown as { node: OperationNode }).node : target
  ) as { table?: { schema?: { name: string }; identifier: { name: string } } } | undefined;
  // Not a plain table (never built here): unknown, so the writes go one by one.
  if (table?.table === undefined) return { table: UNKNOWN_TABLE, changesRows: true };
  return { table: `${table.table.schema?.name ?? ''}.${table.table.identifier.name}`, changesRows };
}
