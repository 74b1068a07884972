import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Mailer, MailMessage } from '../../src/shared/application/mailer.ts';
import { openDatabase } from '../../src/shared/infrastructure/database.ts';
import { freshDatabase, onServer } from '../support/database.ts';
import { emptyDatabase } from '../support/empty-database.ts';
import { FakePasswordHasher } from '../support/fake-password-hasher.ts';
import {
  anEvent,
  busAndOutbox,
  commitEvents,
  createEffectsTable,
  deliveries,
  effects,
  eventually,
  testSubscription,
} from '../support/outbox.ts';
import { type RunningProcess, startProcess } from '../support/process.ts';

class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
}

describe('a crash between commit and delivery', { timeout: 120_000 }, () => {
  it('delivers the committed event once when the service starts again', async () => {
    const database = await emptyDatabase();
    const mailer = new RecordingMailer();
    const start = (relay: boolean) =>
      buildApp(
        loadConfig({
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          DATABASE_URL: database.url,
          OUTBOX_RELAY: String(relay),
        }),
        { hasher: new FakePasswordHasher(), mailer },
      );
    try {
      // First life: the sign-up commits; the process goes down before any relay of it delivers.
      const first = await start(false);
      const response = await first.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: { email: 'survivor@example.com', passwd: 'Correct-Horse-9', name: 'Survivor' },
      });
      expect(response.statusCode).toBe(201);
      await first.close();
      expect(mailer.sent).toEqual([]);

      // Second life: the relay finds the stored delivery and sends the mail.
      const second = await start(true);
      await second.relay.drain();
      await second.close();
      expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([
        ['survivor@example.com', 'Welcome to Bounded'],
      ]);

      // Third life: nothing is left to deliver, so nothing is sent again.
      const third = await start(true);
      expect(await third.relay.drain()).toMatchObject({ claimed: 0 });
      await third.close();
      expect(mailer.sent).toHaveLength(1);
    } finally {
      await database.dispose();
    }
  });
});

/** A test database on the server with its URL, for relays in other processes. */
async function serverDatabase() {
  const fresh = await freshDatabase();
  const database = await openDatabase<unknown>(fresh.target, { poolSize: 5 });
  await createEffectsTable(database.db);
  return {
    url: fresh.url,
    db: database.db,
    async dispose() {
      await database.close();
      await fresh.dispose();
    },
  };
}

function startWorker(url: string, env: Record<string, string>): Promise<RunningProcess> {
  return startProcess(
    ['test/support/relay-worker.ts'],
    { DATABASE_URL: url, ...env },
    /relay worker \S+ ready/,
  );
}

describe.runIf(onServer)(
  'a relay process killed in the middle of a delivery (PostgreSQL)',
  { timeout: 120_000 },
  () => {
    const processes: RunningProcess[] = [];
    afterAll(() => {
      for (const p of processes) p.child.kill('SIGKILL');
    });

    it('leaves no effect behind, and another process delivers the event once after the claim lapses', async () => {
      const database = await serverDatabase();
      try {
        const { outbox } = busAndOutbox([
          testSubscription('test.thing_happened', 'test.first', async () => undefined),
        ]);
        const event = anEvent();
        await commitEvents(database.db, outbox, [event]);

        const doomed = await startWorker(database.url, {
          WORKER: 'doomed',
          HANG: '1',
          LEASE_MS: '1000',
          RELAYS: '1',
        });
        processes.push(doomed);
        await eventually(
          async () => doomed.output().includes(`delivering ${event.id}`),
          20_000,
          'the delivery to start',
        );
        // The subscriber wrote its effect inside the delivery's transaction, which is still open.
        expect(await effects(database.db)).toEqual([]);
        doomed.child.kill('SIGKILL');
        await doomed.exited;

        const survivor = await startWorker(database.url, { WORKER: 'survivor', RELAYS: '1' });
        processes.push(survivor);
        await eventually(
          async () => (await deliveries(database.db))[0]?.status === 'delivered',
          30_000,
          'the survivor to deliver',
        );
        survivor.child.kill('SIGTERM');
        expect(await survivor.exited).toBe(0);

        expect((await effects(database.db)).map((e) => [e.eventId, e.relay])).toEqual([
          [event.id.toString(), 'survivor'],
        ]);
        const [delivery] = await deliveries(database.db);
        expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
        expect(delivery?.last_error).toBe('relay doomed-0 stopped before it finished this delivery');
      } finally {
        await database.dispose();
      }
    });
  },
);

describe.runIf(onServer)('two relay processes sharing one outbox (PostgreSQL)', { timeout: 180_000 }, () => {
  const processes: RunningProcess[] = [];
  afterAll(() => {
    for (const p of processes) p.child.kill('SIGKILL');
  });

  it('handle 1,000 events exactly once per subscriber, keeping each aggregate in order', async () => {
    const database = await serverDatabase();
    try {
      const subscribers = ['test.first', 'test.second'];
      const { outbox } = busAndOutbox(
        subscribers.map((s) => testSubscription('test.thing_happened', s, async () => undefined)),
      );
      for (const worker of ['a', 'b']) {
        processes.push(
          await startWorker(database.url, {
            WORKER: worker,
            SUBSCRIBERS: subscribers.join(','),
            RELAYS: '2',
          }),
        );
      }

      // 50 aggregates × 20 events, committed in 100 transactions of 10, aggregates interleaved.
      const aggregates = Array.from({ length: 50 }, () => anEvent().aggregate_id);
      const committed = [];
      for (let t = 0; t < 100; t += 1) {
        const events = Array.from({ length: 10 }, (_, i) =>
          anEvent({ aggregateId: aggregates[(t * 10 + i) % 50]! }),
        );
        await commitEvents(database.db, outbox, events);
        await sql`select pg_notify('shared_outbox', '')`.execute(database.db);
        committed.push(...events);
      }
      expect(committed).toHaveLength(1_000);

      await eventually(
        async () => {
          const { rows } = await sql<{ n: string }>`
            select count(*) as n from shared.outbox_deliveries where status = 'delivered'`.execute(
            database.db,
          );
          return Number(rows[0]?.n) === 2_000;
        },
        120_000,
        '2,000 deliveries',
      );
      for (const p of processes) p.child.kill('SIGTERM');
      for (const p of processes) expect(await p.exited).toBe(0);

      // Count the effects, not the calls: one per (event, subscriber), none missing, none twice.
      const done = await effects(database.db);
      expect(done).toHaveLength(2_000);
      const pairs = new Set(done.map((e) => `${e.eventId}/${e.subscriber}`));
      expect(pairs.size).toBe(2_000);
      for (const event of committed) {
        for (const subscriber of subscribers) expect(pairs.has(`${event.id}/${subscriber}`)).toBe(true);
      }
      // Both processes did part of the work.
      const byWorker = new Set(done.map((e) => e.relay));
      expect([...byWorker].sort()).toEqual(['a', 'b']);
      // Each subscriber saw each aggregate's events in commit order, whichever process ran them.
      for (const subscriber of subscribers) {
        for (const aggregate of aggregates) {
          const seen = done.filter(
            (e) => e.subscriber === subscriber && e.aggregateId === aggregate.toString(),
          );
          const expected = committed.filter((e) => e.aggregate_id === aggregate).map((e) => e.id.toString());
          expect(seen.map((e) => e.eventId)).toEqual(expected);
        }
      }
      expect((await deliveries(database.db)).every((d) => d.attempts === 1)).toBe(true);
    } finally {
      await database.dispose();
    }
  });
});
