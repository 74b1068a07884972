import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';

/**
 * Something that tidies rows on a schedule (deletes those past their retention, mends a read
 * model's copies), and says how many of each kind it changed.
 */
export interface HousekeepingTask {
  /** For the log line: whose rows these are ("outbox", "accounts", "catalog"). */
  readonly name: string;
  /**
   * One run, on `db`: a connection of the run's own, without the statement timeout that bounds a
   * request's statements (DATABASE_STATEMENT_TIMEOUT_MS), since a housekeeping statement's work
   * grows with the data; its lock waits still end (at twice that limit, as the app wires it).
   */
  run(db: Kysely<unknown>): Promise<Readonly<Record<string, number>>>;
}

/** Runs work on a connection without the statement timeout (`Database.unbounded`). */
export type Unbounded = <T>(work: (db: Kysely<unknown>) => Promise<T>) => Promise<T>;

const HOUR_MS = 3_600_000;

/**
 * Runs the housekeeping tasks once shortly after start and then every hour. Every instance that
 * runs the relay runs them; concurrent runs only find less to delete. A task that fails is logged
 * and tried again at the next run; it does not hold the others back.
 */
export class Housekeeping {
  readonly #tasks: readonly HousekeepingTask[];
  readonly #log: FastifyBaseLogger;
  readonly #unbounded: Unbounded;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(
    tasks: readonly HousekeepingTask[],
    logger: FastifyBaseLogger,
    options: { readonly unbounded: Unbounded; readonly everyMs?: number },
  ) {
    this.#tasks = tasks;
    this.#log = logger;
    this.#unbounded = options.unbounded;
    this.#everyMs = options.everyMs ?? HOUR_MS;
  }

  /**
   * Runs the tasks `firstRunInMs` from now, then every `everyMs`. A run still going when the next is
   * due (a long pass, a lock wait) makes that one skip: runs never pile up.
   */
  start(firstRunInMs = 60_000): void {
    let busy = false;
    const run = () => {
      if (busy) return;
      busy = true;
      this.#running = this.runNow().finally(() => {
        busy = false;
      });
    };
    this.#timer = setTimeout(() => {
      run();
      this.#timer = setInterval(run, this.#everyMs);
      this.#timer.unref();
    }, firstRunInMs);
    this.#timer.unref();
  }

  /**
   * Runs every task now, on one connection of the run's own; answers what each changed (a failed
   * task is left out, and logged; so is every task when no connection could be had).
   */
  async runNow(): Promise<Record<string, Readonly<Record<string, number>>>> {
    const done: Record<string, Readonly<Record<string, number>>> = {};
    try {
      await this.#unbounded((db) => this.#runTasks(db, done));
    } catch (error) {
      this.#log.warn({ err: error }, 'housekeeping could not run; it runs again next time');
    }
    return done;
  }

  /** Runs each task on `db`, noting in `done` what it changed; one that fails is logged and skipped. */
  async #runTasks(
    db: Kysely<unknown>,
    done: Record<string, Readonly<Record<string, number>>>,
  ): Promise<void> {
    for (const task of this.#tasks) {
      try {
        const changed = await task.run(db);
        done[task.name] = changed;
        if (Object.values(changed).some((count) => count > 0)) {
          this.#log.info({ task: task.name, changed }, 'housekeeping changed rows');
        }
      } catch (error) {
        this.#log.warn({ err: error, task: task.name }, 'housekeeping task failed; it runs again next time');
      }
    }
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    await this.#running;
  }
}
