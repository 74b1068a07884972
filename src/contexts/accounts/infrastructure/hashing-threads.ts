import { Worker } from 'node:worker_threads';

/** What a hashing thread is asked to do. */
export type HashingWork =
  | { readonly kind: 'argon2-hash'; readonly plain: string }
  | { readonly kind: 'argon2-verify'; readonly stored: string; readonly plain: string }
  | { readonly kind: 'bcrypt-verify'; readonly stored: string; readonly plain: string };

/** A job as the thread receives it: the work, and an id its reply names. */
export type HashingJob = HashingWork & { readonly id: number };

/** What a hashing thread answers: the job's value, or the message of what it threw. */
export type HashingReply =
  | { readonly id: number; readonly value: string | boolean }
  | { readonly id: number; readonly error: string };

/** What a job threw on its thread (a malformed hash given to verify, say). */
export class HashingJobError extends Error {
  override readonly name = 'HashingJobError';
}

interface Pending {
  readonly job: HashingJob;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  /** Its jobs not answered yet: the one it runs, and the one it takes next. */
  readonly pending: Map<number, Pending>;
  idleTimer?: NodeJS.Timeout;
  /** What ended it, when something did (a module that failed to load, say). */
  failure?: Error;
}

export interface HashingThreadsOptions {
  /** A thread with nothing to do for this long stops, and gives its memory back. Default 30 s. */
  readonly idleMs?: number;
  /** The thread's body; tests pass one of their own. */
  readonly entry?: URL;
  /** Told when a thread stops unexpectedly, and why (the composition root logs it). */
  readonly onThreadStopped?: (error: Error) => void;
}

const ENTRY = new URL('./password-hashing-thread.js', import.meta.url);
/** Jobs a thread holds at once: the one it runs, and the next, which it starts the moment that ends. */
const PER_THREAD = 2;

/**
 * A fixed number of threads that do nothing but hash and verify passwords.
 *
 * Why not libuv's pool, where the libraries' async functions run: there, a thread that finishes
 * a hash takes the next one only once the event loop has seen the first end and started the next
 * (when the number at once is held to the cores), or else more hashes run than there are cores
 * and take turns on them. Measured on two cores at 50 sign-ins in flight, the first left the
 * cores idle between hashes and the second cost each hash a quarter more CPU (19 MiB each,
 * switched in and out). Here each thread holds its next job already, and starts it as soon as it
 * ends one; there are never more hashes at once than threads. Jobs wait in one queue, first come
 * first served, and go to a thread when it has room, so a slow job (a legacy bcrypt hash takes a
 * quarter of a second) holds up only the one behind it on its thread. libuv's pool stays free for
 * files and DNS.
 *
 * Threads start when there is work for them, and stop after `idleMs` without any (each holds
 * about 16 MB besides its hash). A thread that stops unexpectedly fails the jobs it held, with
 * what stopped it as the cause; the next job starts another. An idle thread does not keep the
 * process alive.
 */
export class HashingThreads {
  readonly #size: number;
  readonly #idleMs: number;
  readonly #entry: URL;
  readonly #onThreadStopped: ((error: Error) => void) | undefined;
  readonly #threads: Thread[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 0;
  #closed = false;

  constructor(size: number, options: HashingThreadsOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer: ${size}`);
    this.#size = size;
    this.#idleMs = options.idleMs ?? 30_000;
    this.#entry = options.entry ?? ENTRY;
    this.#onThreadStopped = options.onThreadStopped;
  }

  /** Jobs given and not yet answered (on a thread or waiting for one). */
  get pending(): number {
    return this.#queue.length + this.#threads.reduce((sum, thread) => sum + thread.pending.size, 0);
  }

  /** Threads running now. */
  get threads(): number {
    return this.#threads.length;
  }

  /**
   * Runs a job on a thread. Fails with a HashingJobError when the job threw, and with a plain
   * Error when its thread stopped before answering (or the threads are closed).
   */
  run(work: HashingWork): Promise<string | boolean> {
    if (this.#closed) return Promise.reject(new Error('the password hashing threads are closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { ...work, id: this.#nextId++ }, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every thread; jobs not answered yet fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new Error('the password hashing threads are closed');
    for (const waiting of this.#queue.splice(0)) waiting.reject(closed);
    await Promise.all(this.#threads.map((thread) => thread.worker.terminate()));
  }

  /** Hands waiting jobs to threads with room, starting threads while there are fewer than `size`. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#roomiest();
      if (thread === undefined) return;
      const next = this.#queue.shift()!;
      if (thread.pending.size === 0) {
        clearTimeout(thread.idleTimer);
        thread.worker.ref();
      }
      thread.pending.set(next.job.id, next);
      thread.worker.postMessage(next.job);
    }
  }

  /** An idle thread, else a new one while there is room for it, else the least busy with room. */
  #roomiest(): Thread | undefined {
    let best: Thread | undefined;
    for (const thread of this.#threads)
      if (best === undefined || thread.pending.size < best.pending.size) best = thread;
    if (best?.pending.size === 0) return best;
    if (this.#threads.length < this.#size) return this.#start();
    return best !== undefined && best.pending.size < PER_THREAD ? best : undefined;
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
      if ('error' in reply) pending.reject(new HashingJobError(reply.error));
      else pending.resolve(reply.value);
      this.#dispatch();
      if (thread.pending.size === 0) {
        worker.unref();
        thread.idleTimer = setTimeout(() => this.#retire(thread), this.#idleMs).unref();
      }
    });
    // An uncaught error (a module that did not load) ends the thread: 'exit' follows.
    worker.on('error', (error) => {
      thread.failure = error;
    });
    worker.on('exit', (code) => {
      clearTimeout(thread.idleTimer);
      const index = this.#threads.indexOf(thread);
      if (index >= 0) this.#threads.splice(index, 1);
      if (this.#closed) {
        const closed = new Error('the password hashing threads are closed');
        for (const pending of thread.pending.values()) pending.reject(closed);
        return;
      }
      if (index < 0 && thread.pending.size === 0) return; // retired when idle
      const why = thread.failure === undefined ? '' : `: ${thread.failure.message}`;
      const error = new Error(`a password hashing thread stopped (exit code ${code})${why}`, {
        cause: thread.failure,
      });
      this.#onThreadStopped?.(error);
      for (const pending of thread.pending.values()) pending.reject(error);
      thread.pending.clear();
      this.#dispatch();
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
