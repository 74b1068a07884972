import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BatchedLogDestination } from './log-destination.ts';

function recorder() {
  const writes: string[] = [];
  return { writes, out: { write: (chunk: string) => writes.push(chunk) > 0 } };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchedLogDestination', () => {
  it('writes every line logged in one turn of the event loop with one write, in order', async () => {
    const { writes, out } = recorder();
    const destination = new BatchedLogDestination(out);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    destination.write('{"n":3}\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n']);
  });

  it('does not hold a line back when little is logged: each turn writes its own', async () => {
    const { writes, out } = recorder();
    const destination = new BatchedLogDestination(out);
    destination.write('a\n');
    await nextTurn();
    destination.write('b\n');
    await nextTurn();
    expect(writes).toEqual(['a\n', 'b\n']);
  });

  it('writes what is pending at once when flushed (the process exits)', () => {
    const { writes, out } = recorder();
    const destination = new BatchedLogDestination(out);
    destination.write('last words\n');
    destination.flush();
    destination.flush();
    expect(writes).toEqual(['last words\n']);
  });

  it("answers pino's logger.flush(callback) once the lines are written", async () => {
    const { writes, out } = recorder();
    const logger = pino({ base: null, timestamp: false }, new BatchedLogDestination(out));
    logger.info('before the flush');
    await new Promise<void>((resolve, reject) =>
      logger.flush((error) => (error ? reject(error) : resolve())),
    );
    expect(writes).toEqual(['{"level":30,"msg":"before the flush"}\n']);
  });
});
