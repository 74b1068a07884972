import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Housekeeping } from './housekeeping.ts';

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
      {
        everyMs: 20,
      },
    );
    housekeeping.start(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await housekeeping.stop();
    const afterStop = runs;
    expect(afterStop).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toBe(afterStop);
  });
});
