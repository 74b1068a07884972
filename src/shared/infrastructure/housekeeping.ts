import type { FastifyBaseLogger } from 'fastify';

/**
 * Something that tidies rows on a schedule (deletes those past their retention, mends a read
 * model's copies), and says how many of each kind it changed.
 */
export interface HousekeepingTask {
  /** For the log line: whose rows these are ("outbox", "accounts", "catalog"). */
  readonly name: string;
  run(): Promise<Readonly<Record<string, number>>>;
}

const HOUR_MS = 3_600_000;

/**
 * Runs the housekeeping tasks once shortly after start and then every hour. Every instance that
 * runs the relay runs them; concurrent runs only find less to delete. A task that fails is logged
 * and tried again at the next run; it does not hold the others back.
 */
export class Housekeeping {
  readonly #tasks: readonly HousekeepingTask[];
  readonly #log: FastifyBaseLogger;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(
    tasks: readonly HousekeepingTask[],
    logger: FastifyBaseLogger,
    options: { everyMs?: number } = {},
  ) {
    this.#tasks = tasks;
    this.#log = logger;
    this.#everyMs = options.everyMs ?? HOUR_MS;
  }

  start(firstRunInMs = 60_000): void {
    const run = () => {
      this.#running = this.runNow();
    };
    this.#timer = setTimeout(() => {
      run();
      this.#timer = setInterval(run, this.#everyMs);
      this.#timer.unref();
    }, firstRunInMs);
    this.#timer.unref();
  }

  /** Runs every task now; answers what each changed (a failed task is left out, and logged). */
  async runNow(): Promise<Record<string, Readonly<Record<string, number>>>> {
    const done: Record<string, Readonly<Record<string, number>>> = {};
    for (const task of this.#tasks) {
      try {
        const changed = await task.run();
        done[task.name] = changed;
        if (Object.values(changed).some((count) => count > 0)) {
          this.#log.info({ task: task.name, changed }, 'housekeeping changed rows');
        }
      } catch (error) {
        this.#log.warn({ err: error, task: task.name }, 'housekeeping task failed; it runs again next time');
      }
    }
    return done;
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    await this.#running;
  }
}
