import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HashingJobError, HashingThreads } from './hashing-threads.ts';

const stopping = new URL('../../../../test/support/exiting-hashing-thread.js', import.meta.url);
const opened: HashingThreads[] = [];
const threads = (size: number, options?: ConstructorParameters<typeof HashingThreads>[1]) => {
  const made = new HashingThreads(size, options);
  opened.push(made);
  return made;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

  it('fails the jobs of a thread that stops with a plain error, and starts another for the next job', async () => {
    const pool = threads(1, { entry: stopping });
    expect(await pool.run({ kind: 'argon2-hash', plain: 'first' })).toBe('done:first');
    const lost = [
      pool.run({ kind: 'argon2-hash', plain: 'exit' }),
      pool.run({ kind: 'argon2-hash', plain: 'queued' }),
    ];
    const failures = await Promise.all(lost.map((job) => job.then(undefined, (error: unknown) => error)));
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(HashingJobError);
      expect((failure as Error).message).toBe('a password hashing thread stopped (exit code 3)');
    }
    expect(pool.threads).toBe(0);
    expect(await pool.run({ kind: 'argon2-hash', plain: 'next' })).toBe('done:next');
    expect(pool.threads).toBe(1);
  });

  it('stops a thread that has been idle for idleMs, and starts one again when work comes', async () => {
    const pool = threads(2, { entry: stopping, idleMs: 50 });
    await Promise.all(['a', 'b'].map((plain) => pool.run({ kind: 'argon2-hash', plain })));
    expect(pool.threads).toBe(2);
    await sleep(30);
    // A job within the idle time keeps its thread.
    expect(await pool.run({ kind: 'argon2-hash', plain: 'c' })).toBe('done:c');
    await sleep(300);
    expect(pool.threads).toBe(0);
    expect(await pool.run({ kind: 'argon2-hash', plain: 'd' })).toBe('done:d');
    expect(pool.threads).toBe(1);
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
