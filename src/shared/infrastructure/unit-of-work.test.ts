import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshDatabase, onServer, type TestDatabase } from '../../../test/support/database.ts';
import { AggregateRoot } from '../domain/aggregate-root.ts';
import { ConcurrencyError, DomainError } from '../domain/domain-error.ts';
import { Id } from '../domain/id.ts';
import { type Database, openDatabase, PgErrorCode, sqlState } from './database.ts';
import { RecentRaces } from './recent-races.ts';
import { KyselyUnitOfWork, UnitOfWorkScope } from './unit-of-work.ts';

interface Tables {
  'public.uow_items': { id: number; name: string; version: number };
  'public.uow_notes': { id: number; item_id: number; text: string };
}

class NameTakenError extends DomainError<'item.name_taken'> {
  readonly code = 'item.name_taken' as const;
}

class Item extends AggregateRoot {
  readonly id: Id;
  protected readonly aggregateType = 'item';

  constructor(version: number, id = 1) {
    super(version);
    this.id = Id.of(String(id));
  }
}

let fresh: TestDatabase;
let database: Database<Tables>;
let statements: string[] = [];
let db: Kysely<Tables>;

beforeAll(async () => {
  fresh = await freshDatabase();
  database = await openDatabase<Tables>(fresh.target, {
    ...(fresh.pglite ? { pglite: fresh.pglite } : {}),
    // The statement's first word, after the prepared-statement mark if there is one.
    echo: (event) =>
      statements.push(
        event.sql
          .replace(/^\/\*[^*]*\*\/\s*/, '')
          .trim()
          .split(/\s+/)[0]!
          .toLowerCase(),
      ),
  });
  db = database.db;
  await sql`create table public.uow_items (id int primary key, name text not null unique, version int not null)`.execute(
    db,
  );
  await sql`create table public.uow_notes (id int primary key, item_id int not null references public.uow_items,
                                           text text not null)`.execute(db);
});
afterAll(async () => {
  await database.close();
  await fresh.dispose();
});
beforeEach(async () => {
  await sql`truncate public.uow_notes, public.uow_items`.execute(db);
  statements = [];
});

const scope = () => UnitOfWorkScope.of(db as Kysely<unknown>);
const insertItem = (id: number, name: string) => (d: Kysely<Tables>) =>
  d.insertInto('public.uow_items').values({ id, name, version: 1 });
const rename = (id: number, name: string, version: number) => (d: Kysely<Tables>) =>
  d
    .updateTable('public.uow_items')
    .set({ name, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version);
const insertOneAndTwo = () =>
  db
    .insertInto('public.uow_items')
    .values([
      { id: 1, name: 'one', version: 1 },
      { id: 2, name: 'two', version: 1 },
    ])
    .execute();
/** An observer that lists the reasons a unit of work ran its work again. */
const rerunRecorder = () => {
  const reasons: string[] = [];
  return { reasons, observer: { rerun: (reason: string) => reasons.push(reason) } };
};
const names = async () =>
  (await db.selectFrom('public.uow_items').select('name').orderBy('id').execute()).map((row) => row.name);

describe('UnitOfWorkScope', () => {
  it('sends the writes of a command that only creates as one statement, without BEGIN or COMMIT', async () => {
    const work = scope();
    await work.write(insertItem(1, 'one'));
    await work.write((d: Kysely<Tables>) =>
      d.insertInto('public.uow_notes').values({ id: 1, item_id: 1, text: 'a' }),
    );
    expect(await names()).toEqual([]); // queued, not sent
    statements = [];
    await work.commit();

    expect(statements).toEqual(['with']);
    expect(await names()).toEqual(['one']);
  });

  it('begins the transaction at the first locking read, sends queued writes before it, and commits', async () => {
    await db.insertInto('public.uow_items').values({ id: 1, name: 'one', version: 1 }).execute();
    const work = scope();
    await work.write(insertItem(2, 'two'));
    const tx = await work.transaction<Tables>();
    // What it reads includes the queued write: read-your-writes inside the unit of work.
    expect((await tx.selectFrom('public.uow_items').select('name').orderBy('id').execute()).length).toBe(2);
    await work.write(rename(1, 'uno', 1), { expectOneRow: () => new ConcurrencyError('item', '1') });
    await work.commit();

    // PGlite's driver does not report BEGIN and COMMIT; the server's does.
    if (onServer)
      expect(statements.filter((s) => s === 'begin' || s === 'commit')).toEqual(['begin', 'commit']);
    expect(await names()).toEqual(['uno', 'two']);
  });

  it('shares one transaction between concurrent first locking reads', async () => {
    const work = scope();
    const read = async () =>
      (await work.transaction<Tables>()).selectFrom('public.uow_items').selectAll().execute();
    await Promise.all([read(), read(), read()]);
    await work.commit();
    if (onServer) expect(statements.filter((s) => s === 'begin')).toEqual(['begin']);
  });

  it('reads outside a transaction until one was begun', async () => {
    const work = scope();
    const reader = await work.reader<Tables>();
    await reader.selectFrom('public.uow_items').selectAll().execute();
    await work.commit();
    expect(statements).toEqual(['select']);
  });

  it('rolls every write back when a version check fails, even those sent in the same statement', async () => {
    await db.insertInto('public.uow_items').values({ id: 1, name: 'one', version: 5 }).execute();
    const item = new Item(4);
    const work = scope();
    await work.write(insertItem(2, 'two'));
    await work.write(rename(1, 'stale', 4), { expectOneRow: () => new ConcurrencyError('item', '1') });
    work.markSaved(item, 5);
    expect(item.version).toBe(5);

    await expect(work.commit()).rejects.toThrow(ConcurrencyError);
    await work.rollback();
    expect(await names()).toEqual(['one']);
    expect(item.version).toBe(4); // as stored: a retry builds on what the database has
  });

  it('sends version-checked writes with others as one autocommitted statement, which a lost check fails whole', async () => {
    await insertOneAndTwo();
    await db.insertInto('public.uow_notes').values({ id: 1, item_id: 1, text: 'a' }).execute();
    const notes = async () =>
      (await db.selectFrom('public.uow_notes').select('text').orderBy('id').execute()).map((row) => row.text);
    const editNote = (text: string) => (d: Kysely<Tables>) =>
      d.updateTable('public.uow_notes').set({ text }).where('id', '=', 1);
    statements = [];
    const work = scope();
    await work.write(editNote('b'), { expectOneRow: () => new ConcurrencyError('note', '1') });
    // Stale: item 2 is at version 1. Its error, not the note's, is the one thrown.
    await work.write(rename(2, 'stale', 7), { expectOneRow: () => new ConcurrencyError('item', '2') });
    await expect(work.commit()).rejects.toThrow(/item 2 was changed/);
    await work.rollback();
    expect(statements).toEqual(['with']); // no BEGIN, no COMMIT: the statement itself failed
    expect(await names()).toEqual(['one', 'two']);
    expect(await notes()).toEqual(['a']);

    statements = [];
    const fresh = scope();
    await fresh.write(editNote('b'), { expectOneRow: () => new ConcurrencyError('note', '1') });
    await fresh.write(rename(2, 'dos', 1), { expectOneRow: () => new ConcurrencyError('item', '2') });
    await fresh.commit();
    expect(statements).toEqual(['with']);
    expect(await names()).toEqual(['one', 'dos']);
    expect(await notes()).toEqual(['b']);
  });

  it('reads forChange without a lock or a transaction when optimistic, else in the transaction, locking', async () => {
    await insertOneAndTwo();
    statements = [];
    const optimistic = UnitOfWorkScope.of(db as Kysely<unknown>, { optimistic: true });
    const unlocked = await optimistic.forChange<Tables>('item:1');
    expect(unlocked.lock).toBe(false);
    await unlocked.db.selectFrom('public.uow_items').selectAll().execute();
    await optimistic.commit();
    expect(statements).toEqual(['select']);

    const locking = scope();
    const locked = await locking.forChange<Tables>('item:1');
    expect(locked.lock).toBe(true);
    expect(locked.db.isTransaction).toBe(true);
    await locking.commit();
    // A scope that joins a transaction never skips its locks either.
    await db.transaction().execute(async (tx) => {
      const joined = UnitOfWorkScope.of(tx as unknown as Kysely<unknown>, { optimistic: true });
      expect((await joined.forChange<Tables>('item:1')).lock).toBe(true);
      await joined.commit();
    });
  });

  it('says a failed write may have been a race only after a read forChange skipped its lock', async () => {
    await insertOneAndTwo();
    const failing = async (work: UnitOfWorkScope, readForChange: boolean) => {
      if (readForChange) await work.forChange<Tables>('item:1');
      await work.write((d: Kysely<Tables>) =>
        d.insertInto('public.uow_notes').values({ id: 9, item_id: 2, text: 'a' }),
      );
      await work.write(rename(1, 'stale', 7), { expectOneRow: () => new ConcurrencyError('item', '1') });
      await expect(work.commit()).rejects.toThrow(ConcurrencyError);
      await work.rollback();
      return work.rerunReason;
    };
    const optimistic = () => UnitOfWorkScope.of(db as Kysely<unknown>, { optimistic: true });
    expect(await failing(optimistic(), true)).toBe('lost_race');
    expect(await failing(optimistic(), false)).toBeUndefined();
    expect(await failing(scope(), true)).toBeUndefined();
  });

  it('sends a single guarded write alone: when it changes no row, nothing changed', async () => {
    await db.insertInto('public.uow_items').values({ id: 1, name: 'one', version: 5 }).execute();
    statements = [];
    const work = scope();
    await work.write(rename(1, 'stale', 4), { expectOneRow: () => new ConcurrencyError('item', '1') });
    await expect(work.commit()).rejects.toThrow(ConcurrencyError);
    expect(statements).toEqual(['update']);
  });

  it('sends two changes of one table one by one, in a transaction, so both apply', async () => {
    await insertOneAndTwo();
    statements = [];
    const work = scope();
    await work.write(rename(1, 'uno', 1), { expectOneRow: () => new ConcurrencyError('item', '1') });
    await work.write(rename(1, 'eins', 2), { expectOneRow: () => new ConcurrencyError('item', '1') });
    await work.write(rename(2, 'dos', 1));
    await work.commit();

    const sent = statements.filter((s) => onServer || (s !== 'begin' && s !== 'commit'));
    expect(sent).toEqual(
      onServer ? ['begin', 'update', 'update', 'update', 'commit'] : ['update', 'update', 'update'],
    );
    expect(await names()).toEqual(['eins', 'dos']);
  });

  it('sends an insert and a later change of the same table one by one, so the change sees the row', async () => {
    const work = scope();
    await work.write(insertItem(1, 'one'));
    await work.write(rename(1, 'uno', 1), { expectOneRow: () => new ConcurrencyError('item', '1') });
    await work.write((d: Kysely<Tables>) =>
      d.insertInto('public.uow_notes').values({ id: 1, item_id: 1, text: 'a' }),
    );
    await work.commit();
    expect(await names()).toEqual(['uno']);
  });

  it('takes no reads or writes once it has ended', async () => {
    const committed = scope();
    await committed.commit();
    await expect(committed.write(insertItem(1, 'one'))).rejects.toThrow(/ended/);
    const rolledBack = scope();
    await rolledBack.rollback();
    await expect(rolledBack.transaction()).rejects.toThrow(/ended/);
    await expect(rolledBack.reader()).rejects.toThrow(/ended/);
  });

  it("translates a constraint violation with the write's own translator, and stores nothing", async () => {
    await db.insertInto('public.uow_items').values({ id: 1, name: 'one', version: 1 }).execute();
    const work = scope();
    await work.write(insertItem(2, 'two'));
    await work.write(insertItem(3, 'one'), {
      translateError: (error) =>
        sqlState(error) === PgErrorCode.uniqueViolation
          ? new NameTakenError('That name is taken')
          : undefined,
    });
    await expect(work.commit()).rejects.toThrow(NameTakenError);
    expect(await names()).toEqual(['one']);
  });

  it('joins a transaction it is made on: it sends its writes there and leaves the commit to the owner', async () => {
    await expect(
      db.transaction().execute(async (tx) => {
        const work = UnitOfWorkScope.of(tx as unknown as Kysely<unknown>);
        await work.write(insertItem(1, 'one'));
        await work.commit();
        expect((await tx.selectFrom('public.uow_items').selectAll().execute()).length).toBe(1);
        throw new Error('the owner fails');
      }),
    ).rejects.toThrow('the owner fails');
    expect(await names()).toEqual([]);
  });

  it('sends each write at once when immediate (repositories without a unit of work)', async () => {
    const work = UnitOfWorkScope.immediate(db as Kysely<unknown>);
    await work.write(insertItem(1, 'one'));
    expect(await names()).toEqual(['one']);
  });

  it('runs the work again, locked, when its optimistic attempt lost a version check to another command', async () => {
    await insertOneAndTwo();
    const items = (work: UnitOfWorkScope) => ({
      load: async (id: number) => {
        const { db: reader, lock } = await work.forChange<Tables>(`item:${id}`);
        const row = await reader
          .selectFrom('public.uow_items')
          .selectAll()
          .where('id', '=', id)
          .$if(lock, (query) => query.forUpdate())
          .executeTakeFirstOrThrow();
        return { row, lock };
      },
      rename: (id: number, name: string, version: number) =>
        work.write(rename(id, name, version), {
          expectOneRow: () => new ConcurrencyError('item', String(id)),
        }),
    });
    const noEvents = { record: async () => undefined, committed: () => undefined };
    const races = new RecentRaces();
    const attempts: string[] = [];
    const reruns = rerunRecorder();
    const options = { recentRaces: races, observer: reruns.observer };
    await new KyselyUnitOfWork(db as Kysely<unknown>, items, noEvents, options).run(async (repository) => {
      const { row, lock } = await repository.load(1);
      attempts.push(`${lock ? 'locked' : 'optimistic'} read of ${row.name} at ${row.version}`);
      // Another command renames it between this attempt's read and its write (first attempt only).
      if (attempts.length === 1)
        await db
          .updateTable('public.uow_items')
          .set({ name: 'eins', version: 2 })
          .where('id', '=', 1)
          .execute();
      await repository.rename(1, `${row.name}!`, row.version);
    });
    expect(attempts).toEqual(['optimistic read of one at 1', 'locked read of eins at 2']);
    expect(await names()).toEqual(['eins!', 'two']);
    expect(reruns.reasons).toEqual(['lost_race']);

    // Item 1 lost a race just now: the next unit of work loads it locked at once; item 2, not.
    const next: string[] = [];
    for (const id of [1, 2]) {
      await new KyselyUnitOfWork(db as Kysely<unknown>, items, noEvents, { recentRaces: races }).run(
        async (repository) => {
          next.push(`item ${id} ${(await repository.load(id)).lock ? 'locked' : 'optimistic'}`);
        },
      );
    }
    expect(next).toEqual(['item 1 locked', 'item 2 optimistic']);
  });

  it('answers a lost version check with ConcurrencyError when the work skipped no lock', async () => {
    await insertOneAndTwo();
    const items = (work: UnitOfWorkScope) => ({
      rename: async (id: number, name: string, version: number) => {
        await work.write((d: Kysely<Tables>) =>
          d.insertInto('public.uow_notes').values({ id: 9, item_id: 2, text: 'a' }),
        );
        await work.write(rename(id, name, version), {
          expectOneRow: () => new ConcurrencyError('item', String(id)),
        });
      },
    });
    const noEvents = { record: async () => undefined, committed: () => undefined };
    let attempts = 0;
    const reruns = rerunRecorder();
    const run = new KyselyUnitOfWork(db as Kysely<unknown>, items, noEvents, {
      observer: reruns.observer,
    }).run(async (repository) => {
      attempts += 1;
      await repository.rename(1, 'stale', 7);
    });
    await expect(run).rejects.toThrow(ConcurrencyError);
    expect(attempts).toBe(1);
    expect(reruns.reasons).toEqual([]);
    expect(await names()).toEqual(['one', 'two']);
  });

  it.runIf(onServer)(
    'runs the work again locked, on a pooled connection that waits, when its optimistic statement met a row lock on a write lane',
    async () => {
      await insertOneAndTwo();
      // Another transaction holds item 1's row (it changes nothing) until the locked attempt comes
      // (or 5 s, so that a wrong turn fails instead of hanging).
      const holder = await db.startTransaction().execute();
      await holder.updateTable('public.uow_items').set({ version: 1 }).where('id', '=', 1).execute();
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
        setTimeout(resolve, 5_000);
      }).then(() => holder.commit().execute());
      const items = (work: UnitOfWorkScope) => ({
        load: async (id: number) => {
          const { db: reader, lock } = await work.forChange<Tables>(`item:${id}`);
          if (lock) release();
          const query = reader.selectFrom('public.uow_items').selectAll().where('id', '=', id);
          return { row: await query.$if(lock, (q) => q.forUpdate()).executeTakeFirstOrThrow(), lock };
        },
        rename: (id: number, name: string, version: number) =>
          work.write(rename(id, name, version), {
            expectOneRow: () => new ConcurrencyError('item', String(id)),
          }),
      });
      const noEvents = { record: async () => undefined, committed: () => undefined };
      const attempts: string[] = [];
      const reruns = rerunRecorder();
      await new KyselyUnitOfWork(db as Kysely<unknown>, items, noEvents, { observer: reruns.observer }).run(
        async (repository) => {
          const { row, lock } = await repository.load(1);
          attempts.push(`${lock ? 'locked' : 'optimistic'} read at ${row.version}`);
          await repository.rename(1, 'uno', row.version);
        },
      );
      await released;
      // The optimistic statement gave up on the lock at once (55P03) instead of holding up its
      // lane; the locked attempt waited for the holder, then renamed.
      expect(attempts).toEqual(['optimistic read at 1', 'locked read at 1']);
      expect(await names()).toEqual(['uno', 'two']);
      expect(reruns.reasons).toEqual(['lock_on_lane']);
    },
  );

  it.runIf(onServer)(
    'runs a command that only inserts again on a pooled connection when its statement met a lock on a write lane',
    async () => {
      const noEvents = { record: async () => undefined, committed: () => undefined };
      /** Inserts the item; `holder` ends when the second attempt begins. Answers the attempts made. */
      const insertWhile = async (
        holder: Promise<unknown>,
        end: () => Promise<unknown>,
        id: number,
        name: string,
      ) => {
        let attempts = 0;
        let ended: Promise<unknown> | undefined;
        const endOnce = () => {
          ended ??= end();
          return ended;
        };
        const inserts = (work: UnitOfWorkScope) => ({
          add: async () => {
            attempts += 1;
            if (attempts === 2) await endOnce();
            await work.write(insertItem(id, name), {
              translateError: (error) =>
                sqlState(error) === PgErrorCode.uniqueViolation ? new NameTakenError('taken') : undefined,
            });
          },
        });
        await holder;
        const outcome = await new KyselyUnitOfWork(db as Kysely<unknown>, inserts, noEvents)
          .run((repository) => repository.add())
          .then(
            () => 'inserted',
            (error: unknown) => (error instanceof NameTakenError ? 'name taken' : error),
          );
        await endOnce(); // had there been no second attempt, the holder must still end
        return { outcome, attempts };
      };
      // An uncommitted insert of the same name: the unique index makes a second one wait for its end.
      const rolledBack = await db.startTransaction().execute();
      expect(
        await insertWhile(
          insertItem(3, 'three')(rolledBack).execute(),
          () => rolledBack.rollback().execute(),
          4,
          'three',
        ),
      ).toEqual({ outcome: 'inserted', attempts: 2 });
      const committed = await db.startTransaction().execute();
      expect(
        await insertWhile(
          insertItem(5, 'five')(committed).execute(),
          () => committed.commit().execute(),
          6,
          'five',
        ),
      ).toEqual({ outcome: 'name taken', attempts: 2 });
      expect(await names()).toEqual(['three', 'five']);
    },
  );

  it.runIf(onServer)(
    "runs every command again on the pool when a table lock met a write statement's first use on a lane",
    async () => {
      const noEvents = { record: async () => undefined, committed: () => undefined };
      // A text no lane has prepared yet: pg parses it once for the statements sent together, and
      // that Parse is what waits for the table lock (and gives up: 55P03 for the first, 26000 for
      // the others, which never ran either).
      const inserts = (work: UnitOfWorkScope) => ({
        add: (id: number) =>
          work.write((d: Kysely<Tables>) =>
            d
              .insertInto('public.uow_items')
              .values({ id, name: `table lock ${id}`, version: 7 })
              .returning('id'),
          ),
      });
      const holder = await db.startTransaction().execute();
      await sql`lock table public.uow_items in share mode`.execute(holder);
      const released = new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
        holder.commit().execute(),
      );
      const ids = [11, 12, 13, 14, 15, 16];
      await Promise.all(
        ids.map((id) =>
          new KyselyUnitOfWork(db as Kysely<unknown>, inserts, noEvents).run((repository) =>
            repository.add(id),
          ),
        ),
      );
      await released;
      expect(
        (await db.selectFrom('public.uow_items').select('id').orderBy('id').execute()).map((r) => r.id),
      ).toEqual(ids);
    },
  );

  it.runIf(onServer)('runs the work again when PostgreSQL breaks a deadlock by aborting it', async () => {
    await insertOneAndTwo();
    const lockers = (work: UnitOfWorkScope) => ({
      lock: async (id: number) => {
        const tx = await work.transaction<Tables>();
        await tx.selectFrom('public.uow_items').select('id').where('id', '=', id).forUpdate().execute();
      },
    });
    const noEvents = { record: async () => undefined, committed: () => undefined };
    // Each locks its first row, waits for the other to do the same (first attempt only), then
    // asks for the other's row: a deadlock, which PostgreSQL breaks by aborting one of them.
    let arrived = 0;
    let allThere!: () => void;
    const bothLocked = new Promise<void>((resolve) => {
      allThere = resolve;
    });
    const reruns = rerunRecorder();
    const run = async (first: number, second: number) => {
      let attempts = 0;
      await new KyselyUnitOfWork(db as Kysely<unknown>, lockers, noEvents, { observer: reruns.observer }).run(
        async ({ lock }) => {
          attempts += 1;
          await lock(first);
          if (attempts === 1) {
            arrived += 1;
            if (arrived === 2) allThere();
            await bothLocked;
          }
          await lock(second);
        },
      );
      return attempts;
    };
    const attempts = await Promise.all([run(1, 2), run(2, 1)]);
    expect(attempts.sort()).toEqual([1, 2]);
    expect(reruns.reasons).toEqual(['transient']);
  });
});

/** Counts the INSERT or UPDATE queries Kysely builds on `db` (the scope builds its queries there). */
const countBuilds = (builder: 'insertInto' | 'updateTable') => {
  const spy = vi.spyOn(db, builder);
  return {
    get builds() {
      return spy.mock.calls.length;
    },
    restore: () => spy.mockRestore(),
  };
};

describe('UnitOfWorkScope.insert', () => {
  it('binds a second insert of the same shape to the text made for the first, with its own values', async () => {
    const counter = countBuilds('insertInto');
    try {
      for (const [id, name] of [
        [11, 'eleven'],
        [12, 'twelve'],
      ] as const) {
        const work = scope();
        // Columns in an order no other test uses: the first command's shapes are new to the process.
        await work.insert<Tables, 'public.uow_items'>('public.uow_items', { version: 1, name, id });
        await work.insert<Tables, 'public.uow_notes'>('public.uow_notes', {
          text: `${name}'s`,
          item_id: id,
          id,
        });
        statements = [];
        await work.commit();
        expect(statements).toEqual(['with']);
      }
      // The first command's two inserts were built and compiled; the second's were only bound.
      expect(counter.builds).toBe(2);
    } finally {
      counter.restore();
    }
    expect(await names()).toEqual(['eleven', 'twelve']);
    const notes = await db.selectFrom('public.uow_notes').select(['item_id', 'text']).orderBy('id').execute();
    expect(notes).toEqual([
      { item_id: 11, text: "eleven's" },
      { item_id: 12, text: "twelve's" },
    ]);
  });

  it('builds an insert whose values are not all plain, so an expression runs as SQL', async () => {
    const plain = scope();
    await plain.insert<Tables, 'public.uow_items'>('public.uow_items', { id: 21, name: 'plain', version: 1 });
    await plain.commit();
    const withExpression = scope();
    await withExpression.insert<Tables, 'public.uow_items'>('public.uow_items', {
      id: 22,
      name: sql<string>`upper('shouted')`,
      version: 1,
    });
    await withExpression.commit();
    expect(await names()).toEqual(['plain', 'SHOUTED']);
  });

  it('builds an insert whose rows name their columns in another order, binding each value to its column', async () => {
    for (const rows of [
      [
        { id: 31, name: 'first', version: 1 },
        { id: 32, name: 'second', version: 1 },
      ],
      [
        { id: 33, name: 'third', version: 1 },
        { version: 7, name: 'fourth', id: 34 },
      ],
    ]) {
      const work = scope();
      await work.insert<Tables, 'public.uow_items'>('public.uow_items', rows);
      await work.commit();
    }
    const rows = await db
      .selectFrom('public.uow_items')
      .select(['id', 'name', 'version'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 31, name: 'first', version: 1 },
      { id: 32, name: 'second', version: 1 },
      { id: 33, name: 'third', version: 1 },
      { id: 34, name: 'fourth', version: 7 },
    ]);
  });

  it("translates a bound insert's constraint violation with its own translator, and stores nothing", async () => {
    const translateError = (error: unknown) =>
      sqlState(error) === PgErrorCode.uniqueViolation ? new NameTakenError('That name is taken') : undefined;
    for (const id of [41, 42]) {
      const work = scope();
      await work.insert<Tables, 'public.uow_items'>(
        'public.uow_items',
        { id, name: 'taken', version: 1 },
        { translateError },
      );
      await work.insert<Tables, 'public.uow_notes'>('public.uow_notes', { id, item_id: id, text: 'x' });
      if (id === 41) await work.commit();
      else await expect(work.commit()).rejects.toThrow(NameTakenError);
    }
    expect(await names()).toEqual(['taken']);
    expect(await db.selectFrom('public.uow_notes').select('id').execute()).toEqual([{ id: 41 }]);
  });
});

describe('UnitOfWorkScope.saveVersioned', () => {
  const stored = () =>
    db.selectFrom('public.uow_items').select(['id', 'name', 'version']).orderBy('id').execute();
  const saveName = (work: UnitOfWorkScope, item: Item, name: unknown) =>
    work.saveVersioned<Tables, 'public.uow_items'>(item, 'item', 'public.uow_items', { name } as {
      name: string;
    });

  it('binds a second save of the same shape to the text made for the first, with its own values and check', async () => {
    await insertOneAndTwo();
    const counter = countBuilds('updateTable');
    try {
      for (const [id, name] of [
        [1, 'uno'],
        [2, 'dos'],
      ] as const) {
        const item = new Item(1, id);
        const work = scope();
        await saveName(work, item, name);
        // Columns in an order no other test uses: the first command's shapes are new to the process.
        await work.insert<Tables, 'public.uow_notes'>('public.uow_notes', { id, text: name, item_id: id });
        statements = [];
        await work.commit();
        expect(statements).toEqual(['with']);
        expect(item.version).toBe(2);
      }
      // The first command's update was built and compiled; the second's only bound.
      expect(counter.builds).toBe(1);
    } finally {
      counter.restore();
    }
    expect(await stored()).toEqual([
      { id: 1, name: 'uno', version: 2 },
      { id: 2, name: 'dos', version: 2 },
    ]);
  });

  it('fails a bound save whose version is stale with a ConcurrencyError, storing nothing of its statement', async () => {
    await insertOneAndTwo();
    for (const [version, outcome] of [
      [1, 'saved'],
      [1, 'stale'],
    ] as const) {
      const work = scope();
      await saveName(work, new Item(version, 1), `${outcome} name`);
      // Columns in an order of their own: the second command is bound whichever test ran first.
      await work.insert<Tables, 'public.uow_notes'>('public.uow_notes', {
        text: outcome,
        id: version + (outcome === 'stale' ? 10 : 0),
        item_id: 1,
      });
      if (outcome === 'saved') await work.commit();
      else await expect(work.commit()).rejects.toThrow(/item 1 was changed/);
    }
    expect(await stored()).toEqual([
      { id: 1, name: 'saved name', version: 2 },
      { id: 2, name: 'two', version: 1 },
    ]);
    expect(await db.selectFrom('public.uow_notes').select('text').execute()).toEqual([{ text: 'saved' }]);
  });

  it('builds a save whose values are not all plain, so an expression runs as SQL', async () => {
    await insertOneAndTwo();
    const plain = scope();
    await saveName(plain, new Item(1, 1), 'plain');
    await plain.commit();
    const withExpression = scope();
    await saveName(withExpression, new Item(1, 2), sql<string>`upper('shouted')`);
    await withExpression.commit();
    expect(await stored()).toEqual([
      { id: 1, name: 'plain', version: 2 },
      { id: 2, name: 'SHOUTED', version: 2 },
    ]);
  });

  it("translates a bound save's constraint violation with its own translator", async () => {
    await insertOneAndTwo();
    const translateError = (error: unknown) =>
      sqlState(error) === PgErrorCode.uniqueViolation ? new NameTakenError('That name is taken') : undefined;
    for (const [id, name] of [
      [1, 'unique'],
      [2, 'unique'],
    ] as const) {
      const work = scope();
      await work.saveVersioned<Tables, 'public.uow_items'>(
        new Item(1, id),
        'item',
        'public.uow_items',
        { name },
        { translateError },
      );
      if (id === 1) await work.commit();
      else await expect(work.commit()).rejects.toThrow(NameTakenError);
    }
    expect(await names()).toEqual(['unique', 'two']);
  });
});

describe('RecentRaces', () => {
  it('remembers a key that lost a race for its time to live, then forgets it', () => {
    let now = 0;
    const races = new RecentRaces({ ttlMs: 1_000, now: () => now });
    races.lost(['project:1']);
    expect(races.contended('project:1')).toBe(true);
    expect(races.contended('project:2')).toBe(false);
    now = 999;
    expect(races.contended('project:1')).toBe(true);
    now = 1_000;
    expect(races.contended('project:1')).toBe(false);
  });

  it('holds at most its capacity, forgetting the key that lost longest ago first', () => {
    const races = new RecentRaces({ capacity: 2, now: () => 0 });
    races.lost(['a', 'b']);
    races.lost(['a']); // lost again: now the newest
    races.lost(['c']);
    expect(['a', 'b', 'c'].filter((key) => races.contended(key))).toEqual(['a', 'c']);
  });
});
