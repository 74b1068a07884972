import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit.ts';

const later = () => {
  let resolve!: (value: string) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most the limit at once and starts the waiting tasks in the order they came', async () => {
    const limit = new ConcurrencyLimit(2);
    const tasks = Array.from({ length: 5 }, later);
    const started: number[] = [];
    const results = tasks.map((task, i) =>
      limit.run(() => {
        started.push(i);
        return task.promise;
      }),
    );
    const settled = Promise.allSettled(results);
    await settle();
    expect(started).toEqual([0, 1]);
    expect([limit.running, limit.waiting]).toEqual([2, 3]);
    tasks[1]!.resolve('b');
    await settle();
    expect(started).toEqual([0, 1, 2]);
    tasks[0]!.reject(new Error('a failed'));
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const [i, task] of tasks.entries()) if (i > 1) task.resolve(String(i));
    expect(await settled).toEqual([
      { status: 'rejected', reason: new Error('a failed') },
      { status: 'fulfilled', value: 'b' },
      { status: 'fulfilled', value: '2' },
      { status: 'fulfilled', value: '3' },
      { status: 'fulfilled', value: '4' },
    ]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect([limit.running, limit.waiting]).toEqual([0, 0]);
  });

  it('takes a task that throws before its promise like one that rejects', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(
      limit.run(() => {
        throw new Error('at once');
      }),
    ).rejects.toThrow('at once');
    expect(await limit.run(async () => 'next')).toBe('next');
    expect(limit.running).toBe(0);
  });

  it('hands the turn on when a task that waited throws before its promise', async () => {
    const limit = new ConcurrencyLimit(1);
    const first = later();
    const running = limit.run(() => first.promise);
    const thrower = limit.run(() => {
      throw new Error('at once, after waiting');
    });
    const third = limit.run(async () => 'third');
    expect(limit.waiting).toBe(2);
    first.resolve('first');
    expect(await running).toBe('first');
    await expect(thrower).rejects.toThrow('at once, after waiting');
    expect(await third).toBe('third');
    expect([limit.running, limit.waiting]).toEqual([0, 0]);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new ConcurrencyLimit(bad)).toThrow(RangeError);
  });
});
