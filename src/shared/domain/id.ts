import type { Clock } from './clock.ts';

/**
 * A Snowflake id: 41 bits of milliseconds since EPOCH, 10 bits of worker id, 12 bits of sequence.
 * A positive bigint in TypeScript, `bigint` in SQL and a decimal string in JSON
 * (JavaScript numbers lose precision above 2^53).
 */
export type Id = bigint & { readonly __brand: 'Id' };

export const ID_EPOCH_MS = Date.UTC(2026, 0, 1);
const WORKER_BITS = 10n;
const SEQUENCE_BITS = 12n;
export const MAX_WORKER_ID = (1 << Number(WORKER_BITS)) - 1;
const MAX_SEQUENCE = (1n << SEQUENCE_BITS) - 1n;
const MAX_ID = (1n << 63n) - 1n;
const DECIMAL = /^[1-9][0-9]{0,18}$/;

export const Id = {
  /** Reads an id from its decimal text; undefined when the text cannot be an id. */
  tryParse(text: string): Id | undefined {
    if (!DECIMAL.test(text)) return undefined;
    const value = BigInt(text);
    return value <= MAX_ID ? (value as Id) : undefined;
  },

  /** For values that come from our own storage, where a bad value is a bug, not input. */
  of(value: bigint | string): Id {
    const id = typeof value === 'bigint' ? Id.tryParse(value.toString()) : Id.tryParse(value);
    if (id === undefined) throw new TypeError(`Not a valid id: ${String(value)}`);
    return id;
  },

  /** When the id was made, to the millisecond. */
  timestamp(id: Id): Date {
    return new Date(Number(id >> (WORKER_BITS + SEQUENCE_BITS)) + ID_EPOCH_MS);
  },

  worker(id: Id): number {
    return Number((id >> SEQUENCE_BITS) & BigInt(MAX_WORKER_ID));
  },
};

/** The port aggregates and events get their ids from. */
export interface IdGenerator {
  next(): Id;
}

/**
 * Makes strictly increasing ids for one worker. If the clock steps back, it keeps counting from the
 * last millisecond it used instead of repeating ids; when a millisecond's 4096 sequence numbers run
 * out it borrows the next millisecond. Uniqueness across processes comes from the worker id,
 * which is leased (see shared/infrastructure/worker-lease.ts).
 */
export class SnowflakeIdGenerator implements IdGenerator {
  readonly #clock: Clock;
  readonly #worker: bigint;
  #lastMs = -1n;
  #sequence = 0n;

  constructor(workerId: number, clock: Clock) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
      throw new RangeError(`worker id must be an integer 0..${MAX_WORKER_ID}, got ${workerId}`);
    }
    this.#worker = BigInt(workerId);
    this.#clock = clock;
  }

  get workerId(): number {
    return Number(this.#worker);
  }

  next(): Id {
    let ms = BigInt(this.#clock.now().getTime() - ID_EPOCH_MS);
    if (ms < 0n) throw new RangeError('The clock reads a time before the id epoch (2026-01-01)');
    if (ms <= this.#lastMs) {
      ms = this.#lastMs;
      this.#sequence += 1n;
      if (this.#sequence > MAX_SEQUENCE) {
        ms += 1n;
        this.#sequence = 0n;
      }
    } else {
      this.#sequence = 0n;
    }
    this.#lastMs = ms;
    return ((ms << (WORKER_BITS + SEQUENCE_BITS)) | (this.#worker << SEQUENCE_BITS) | this.#sequence) as Id;
  }
}
