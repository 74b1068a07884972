import pino from 'pino';

/**
 * Where the JSON log lines go: standard output, with every line logged in one turn of the event
 * loop written by a single system call at the end of that turn. Under load that is one write for
 * dozens of requests instead of one per line; when idle a line still leaves within the turn it was
 * logged in, so nothing waits for a buffer to fill. The writes themselves are synchronous (pino's
 * sonic-boom, which also retries a full pipe), and whatever is pending is written when the process
 * exits, so a crash does not lose the lines before it.
 */
export class BatchedLogDestination {
  readonly #out: { write(chunk: string): boolean };
  #pending: string[] = [];
  #scheduled = false;

  constructor(out: { write(chunk: string): boolean }) {
    this.#out = out;
  }

  write(line: string): boolean {
    this.#pending.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  /** Writes what is pending now. Takes pino's `flush(callback)` form too, and calls it back. */
  readonly flush = (done?: unknown): void => {
    this.#scheduled = false;
    if (this.#pending.length > 0) {
      const chunk = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
      this.#pending = [];
      this.#out.write(chunk);
    }
    if (typeof done === 'function') done();
  };
}

let stdout: BatchedLogDestination | undefined;

/** The process's one standard-output destination (made on first use; flushed at exit). */
export function standardOutput(): BatchedLogDestination {
  if (stdout === undefined) {
    const destination = new BatchedLogDestination(pino.destination({ dest: 1, sync: true }));
    process.on('exit', destination.flush);
    stdout = destination;
  }
  return stdout;
}
