import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Mailer, MailMessage } from '../../src/shared/application/mailer.ts';
import type { DomainEvent } from '../../src/shared/domain/domain-event.ts';
import { OutboxRelay } from '../../src/shared/infrastructure/outbox-relay.ts';
import { freshDatabase, onServer, openTestDatabase } from '../support/database.ts';
import { FakePasswordHasher } from '../support/fake-password-hasher.ts';
import { anEvent, busAndOutbox, deferred, testSubscription } from '../support/outbox.ts';

describe('what wakes a relay', () => {
  it('polling, when no commit tells it (a commit by a process that died before telling anyone)', async () => {
    const database = await openTestDatabase();
    const delivered = deferred<DomainEvent>();
    const { bus, outbox } = busAndOutbox([
      testSubscription('test.thing_happened', 'test.first', async (event) => delivered.resolve(event)),
    ]);
    const relay = new OutboxRelay({
      db: database.db,
      target: bus,
      logger: pino({ level: 'silent' }),
      maxAttempts: 3,
      pollIntervalMs: 100,
      backoff: { baseMs: 0, maxMs: 0 },
    });
    relay.start();
    try {
      const event = anEvent();
      // Stored, but `outbox.committed` is never called: nobody wakes the relay.
      await database.db.transaction().execute((tx) => outbox.append(tx, [event]));
      expect((await delivered.promise).id).toBe(event.id);
    } finally {
      await relay.stop();
      await database.dispose();
    }
  });

  it.runIf(onServer)('a commit on another instance, through LISTEN/NOTIFY (PostgreSQL)', async () => {
    const fresh = await freshDatabase();
    const arrived = deferred<MailMessage>();
    const mailerOf = (deliver: (m: MailMessage) => void): Mailer => ({ send: async (m) => deliver(m) });
    const config = (env: Record<string, string>) =>
      loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: fresh.url, ...env });
    // The web instance runs no relay; the worker instance polls only once a minute.
    const web = await buildApp(config({ OUTBOX_RELAY: 'false' }), {
      hasher: new FakePasswordHasher(),
      mailer: mailerOf(() => arrived.resolve({ to: 'wrong instance', subject: '', text: '', html: '' })),
    });
    const worker = await buildApp(config({ OUTBOX_POLL_INTERVAL_MS: '60000' }), {
      hasher: new FakePasswordHasher(),
      mailer: mailerOf((m) => arrived.resolve(m)),
    });
    try {
      const response = await web.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: { email: 'notified@example.com', passwd: 'Correct-Horse-9', name: 'Notified' },
      });
      expect(response.statusCode).toBe(201);
      expect((await arrived.promise).to).toBe('notified@example.com');
    } finally {
      await web.close();
      await worker.close();
      await fresh.dispose();
    }
  });
});
