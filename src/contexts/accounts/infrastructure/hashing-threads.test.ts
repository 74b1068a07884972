import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HashingJobError, HashingThreads } from './hashing-threads.ts';

const stopping = new URL('../../../../test/support/exiting-hashing-thread.js', import.meta.url);
const opened: HashingThreads[] = [];
const threads = (size: number, options?: ConstructorParameters<typeof HashingThreads>[1]) => {
  const made = new HashingThreads(size, options);
  opened.push(made);
  return made;
};

afterEach(async () => {
  await Promise.all(opened.splice(0).map((made) => made.close()));
});

describe('HashingThreads', () => {
  it('runs many jobs on at most `size` threads, each job getting its own answer', async () => {
    const pool = threads(2);
    const plains = ['One-Pass-1!', 'Two-Pass-2!', 'Three-Pass-3!', 'Four-Pass-4!', 'Five-Pass-5!'];
    const hashing = plains.map((plain) => pool.run({ kind: 'argon2-hash', plain }));
    expect(pool.threads).toBe(2);
    expect(pool.pending).toBe(5);
    const hashes = (await Promise.all(hashing)) as string[];
    const checks = await Promise.all([
      ...plains.map((plain, i) => pool.run({ kind: 'argon2-verify', stored: hashes[i]!, plain })),
      pool.run({ kind: 'argon2-verify', stored: hashes[0]!, plain: plains[1]! }),
    ]);
    expect(checks).toEqual([true, true, true, true, true, false]);
    expect(pool.threads).toBe(2);
    expect(pool.pending).toBe(0);
  });

  it('starts no second thread while the first is idle', async () => {
    const pool = threads(4);
    for (const plain of ['a', 'b', 'c']) await pool.run({ kind: 'argon2-hash', plain });
    expect(pool.threads).toBe(1);
  });

  it('fails a job that throws with a HashingJobError, and its thread goes on', async () => {
    const pool = threads(1);
    const failure = await pool
      .run({ kind: 'argon2-verify', stored: '$argon2id$garbage', plain: 'x' })
      .then(undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(HashingJobError);
    const stored = (await pool.run({ kind: 'argon2-hash', plain: 'After-Fail-1!' })) as string;
    expect(await pool.run({ kind: 'argon2-verify', stored, plain: 'After-Fail-1!' })).toBe(true);
  });

  it('fails the jobs a stopping thread held with a plain error; those still waiting run on another', async () => {
    const pool = threads(1, { entry: stopping });
    expect(await pool.run({ kind: 'argon2-hash', plain: 'first' })).toBe('done:first');
    // A thread holds two jobs: the one it runs and the next. The rest wait for room.
    const lost = [
      pool.run({ kind: 'argon2-hash', plain: 'exit' }),
      pool.run({ kind: 'argon2-hash', plain: 'held' }),
    ].map((job) => job.then(undefined, (error: unknown) => error));
    const waiting = [
      pool.run({ kind: 'argon2-hash', plain: 'c' }),
      pool.run({ kind: 'argon2-hash', plain: 'd' }),
    ];
    expect(pool.pending).toBe(4);
    expect(await Promise.all(waiting)).toEqual(['done:c', 'done:d']);
    const failures = await Promise.all(lost);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(HashingJobError);
      expect((failure as Error).message).toBe('a password hashing thread stopped (exit code 3)');
    }
    expect(await pool.run({ kind: 'argon2-hash', plain: 'next' })).toBe('done:next');
    expect(pool.threads).toBe(1);
  });

  it('stops a thread that has been idle for idleMs, and starts one again when work comes', async () => {
    const pool = threads(1, { entry: stopping, idleMs: 200 });
    const first = await pool.run({ kind: 'argon2-hash', plain: 'thread' });
    // A job within the idle time runs on the same thread.
    expect(await pool.run({ kind: 'argon2-hash', plain: 'thread' })).toBe(first);
    await vi.waitFor(() => expect(pool.threads).toBe(0), { timeout: 5_000, interval: 20 });
    expect(await pool.run({ kind: 'argon2-hash', plain: 'thread' })).not.toBe(first);
    expect(pool.threads).toBe(1);
  });

  it('fails the jobs of a thread that could not start with the reason as the cause, and reports it', async () => {
    const stopped: Error[] = [];
    const broken = new URL('data:text/javascript,throw new Error("the binding did not load")');
    const pool = threads(1, { entry: broken, onThreadStopped: (error) => stopped.push(error) });
    const failure = (await pool
      .run({ kind: 'argon2-hash', plain: 'x' })
      .then(undefined, (error: unknown) => error)) as Error;
    expect(failure.message).toBe('a password hashing thread stopped (exit code 1): the binding did not load');
    expect((failure.cause as Error).message).toBe('the binding did not load');
    expect(stopped).toEqual([failure]);
  });

  it('serves waiting jobs first come, first served, as threads have room', async () => {
    const pool = threads(1, { entry: stopping });
    const answers: string[] = [];
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((plain) =>
        pool.run({ kind: 'argon2-hash', plain }).then((value) => answers.push(value as string)),
      ),
    );
    expect(answers).toEqual(['done:a', 'done:b', 'done:c', 'done:d', 'done:e']);
  });

  it('refuses work once closed, and fails what was still waiting', async () => {
    const pool = threads(1);
    const waiting = pool.run({ kind: 'argon2-hash', plain: 'Closing-Pass-1!' });
    await pool.close();
    await expect(waiting).rejects.toThrow('the password hashing threads are closed');
    await expect(pool.run({ kind: 'argon2-hash', plain: 'x' })).rejects.toThrow(
      'the password hashing threads are closed',
    );
  });

  it('does not keep a process alive once its jobs are answered', async () => {
    const module = new URL('./hashing-threads.ts', import.meta.url).href;
    const script = `
      const { HashingThreads } = await import(${JSON.stringify(module)});
      const pool = new HashingThreads(2);
      console.log(await pool.run({ kind: 'argon2-hash', plain: 'Exit-Pass-1!' }));`;
    const started = performance.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
    });
    expect(stdout).toMatch(/^\$argon2id\$/);
    // Well before the 30 s a thread waits idle before it stops.
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
