import { Worker } from 'node:worker_threads';

/** A job for a hashing thread. */
export type HashingJob = { readonly id: number } & (
  | { readonly kind: 'argon2-hash'; readonly plain: string }
  | { readonly kind: 'argon2-verify'; readonly stored: string; readonly plain: string }
  | { readonly kind: 'bcrypt-verify'; readonly stored: string; readonly plain: string }
);

/** What a hashing thread answers: the job's value, or the message of what it threw. */
export type HashingReply =
  | { readonly id: number; readonly value: string | boolean }
  | { readonly id: number; readonly error: string };

type Work = HashingJob extends infer J ? (J extends HashingJob ? Omit<J, 'id'> : never) : never;

/** What a job threw on its thread (a malformed hash given to verify, say). */
export class HashingJobError extends Error {
  override readonly name = 'HashingJobError';
}

interface Pending {
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  idleTimer?: NodeJS.Timeout;
}

export interface HashingThreadsOptions {
  /** A thread with nothing to do for this long stops, and gives its memory back. Default 30 s. */
  readonly idleMs?: number;
  /** The thread's body; tests pass one of their own. */
  readonly entry?: URL;
}

const ENTRY = new URL('./password-hashing-thread.js', import.meta.url);

/**
 * A fixed number of threads that do nothing but hash and verify passwords, each taking its jobs
 * one after the other from a queue of its own.
 *
 * Why not libuv's pool, where the libraries' async functions run: there, a thread that finishes
 * a hash takes the next one only once the event loop has seen the first end and started the next
 * (when the number at once is held to the cores), or else more hashes run than there are cores
 * and take turns on them. Measured on two cores at 50 sign-ins in flight, the first left the
 * cores idle between hashes and the second cost each hash a quarter more CPU (19 MiB each,
 * switched in and out). Here a thread starts its next job as soon as it ends one, and there are
 * never more hashes at once than threads. libuv's pool stays free for files and DNS.
 *
 * Threads start when there is work for them, and stop after `idleMs` without any (each holds
 * about 16 MB besides its hash); jobs go to the thread with the fewest waiting. A thread that
 * stops unexpectedly fails the jobs it had; the next job starts another. An idle thread does not
 * keep the process alive.
 */
export class HashingThreads {
  readonly #size: number;
  readonly #idleMs: number;
  readonly #entry: URL;
  readonly #threads: Thread[] = [];
  #nextId = 0;
  #closed = false;

  constructor(size: number, options: HashingThreadsOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer: ${size}`);
    this.#size = size;
    this.#idleMs = options.idleMs ?? 30_000;
    this.#entry = options.entry ?? ENTRY;
  }

  /** Jobs given to the threads and not yet answered. */
  get pending(): number {
    return this.#threads.reduce((sum, thread) => sum + thread.pending.size, 0);
  }

  /** Threads running now. */
  get threads(): number {
    return this.#threads.length;
  }

  /**
   * Runs a job on a thread. Fails with a HashingJobError when the job threw, and with a plain
   * Error when its thread stopped before answering (or the threads are closed).
   */
  run(work: Work): Promise<string | boolean> {
    if (this.#closed) return Promise.reject(new Error('the password hashing threads are closed'));
    const thread = this.#pick();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (thread.pending.size === 0) {
        clearTimeout(thread.idleTimer);
        thread.worker.ref();
      }
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...work, id } satisfies HashingJob);
    });
  }

  /** Stops every thread; jobs not answered yet fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((thread) => thread.worker.terminate()));
  }

  /** The thread with the fewest jobs waiting, or a new one while some are busy and there is room. */
  #pick(): Thread {
    let best: Thread | undefined;
    for (const thread of this.#threads)
      if (best === undefined || thread.pending.size < best.pending.size) best = thread;
    if (best !== undefined && (best.pending.size === 0 || this.#threads.length >= this.#size)) return best;
    return this.#start();
  }

  #start(): Thread {
    const worker = new Worker(this.#entry, {
      name: 'password hashing',
      // Not the app's flags (heap sizes, preloads): the thread holds a few small messages.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    const thread: Thread = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: HashingReply) => {
      const pending = thread.pending.get(reply.id);
      if (pending === undefined) return;
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) {
        worker.unref();
        thread.idleTimer = setTimeout(() => this.#retire(thread), this.#idleMs).unref();
      }
      if ('error' in reply) pending.reject(new HashingJobError(reply.error));
      else pending.resolve(reply.value);
    });
    // An uncaught error ends the thread: 'exit' follows, and fails what it had not answered.
    worker.on('error', () => {});
    worker.on('exit', (code) => {
      clearTimeout(thread.idleTimer);
      const index = this.#threads.indexOf(thread);
      if (index >= 0) this.#threads.splice(index, 1);
      const error = new Error(
        this.#closed
          ? 'the password hashing threads are closed'
          : `a password hashing thread stopped (exit code ${code})`,
      );
      for (const pending of thread.pending.values()) pending.reject(error);
      thread.pending.clear();
    });
    this.#threads.push(thread);
    return thread;
  }

  /** Takes an idle thread out of the choice at once, then stops it. */
  #retire(thread: Thread): void {
    const index = this.#threads.indexOf(thread);
    if (index >= 0) this.#threads.splice(index, 1);
    void thread.worker.terminate();
  }
}
