import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Housekeeping, type Unbounded } from './housekeeping.ts';

/** What `Database.unbounded` would give: here a stand-in that the tasks can recognise. */
const runConnection = { connection: 'of the run' } as unknown as Kysely<unknown>;
const unbounded: Unbounded = (work) => work(runConnection);

describe('housekeeping', () => {
  it('runs every task; one that fails is logged and does not hold the others back', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const ran: string[] = [];
    const housekeeping = new Housekeeping(
      [
        {
          name: 'broken',
          run: async () => {
            ran.push('broken');
            throw new Error('the table is locked');
          },
        },
        {
          name: 'tidy',
          run: async () => {
            ran.push('tidy');
            return { rows: 3 };
          },
        },
      ],
      logger,
      { unbounded },
    );

    expect(await housekeeping.runNow()).toEqual({ tidy: { rows: 3 } });
    expect(ran).toEqual(['broken', 'tidy']);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        task: 'broken',
        err: expect.objectContaining({ message: 'the table is locked' }),
      }),
      expect.objectContaining({ level: 30, task: 'tidy', changed: { rows: 3 } }),
    ]);
  });

  it('runs on its schedule once started, and not after it is stopped', async () => {
    let runs = 0;
    const housekeeping = new Housekeeping(
      [{ name: 'count', run: async () => ({ runs: ++runs }) }],
      pino({ level: 'silent' }),
      { unbounded, everyMs: 20 },
    );
    housekeeping.start(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await housekeeping.stop();
    const afterStop = runs;
    expect(afterStop).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toBe(afterStop);
  });

  it("runs every task on the run's own connection, without the statement timeout", async () => {
    const given: unknown[] = [];
    let opened = 0;
    const housekeeping = new Housekeeping(
      ['first', 'second'].map((name) => ({
        name,
        run: async (db: Kysely<unknown>) => {
          given.push(db);
          return {};
        },
      })),
      pino({ level: 'silent' }),
      {
        unbounded: (work) => {
          opened += 1;
          return work(runConnection);
        },
      },
    );
    await housekeeping.runNow();
    expect(given).toEqual([runConnection, runConnection]);
    expect(opened).toBe(1);
  });

  it('logs a run that could not get its connection, and answers that nothing ran', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const housekeeping = new Housekeeping([{ name: 'tidy', run: async () => ({ rows: 1 }) }], logger, {
      unbounded: () => Promise.reject(new Error('the database cannot be reached')),
    });
    expect(await housekeeping.runNow()).toEqual({});
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'housekeeping could not run; it runs again next time',
        err: expect.objectContaining({ message: 'the database cannot be reached' }),
      }),
    ]);
  });

  it('skips a run that falls due while the last one is still going', async () => {
    let started = 0;
    let finish = () => {};
    const housekeeping = new Housekeeping(
      [
        {
          name: 'slow',
          run: async () => {
            started += 1;
            await new Promise<void>((resolve) => {
              finish = resolve;
            });
            return {};
          },
        },
      ],
      pino({ level: 'silent' }),
      { unbounded, everyMs: 10 },
    );
    housekeeping.start(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started).toBe(1);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started).toBeGreaterThan(1);
    finish();
    await housekeeping.stop();
  });
});
