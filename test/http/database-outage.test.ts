import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp, migrationFolders } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/shared/infrastructure/database.ts';
import { migrateDown } from '../../src/shared/infrastructure/migrator.ts';
import { freshDatabase, onServer, type TestDatabase } from '../support/database.ts';
import { FakePasswordHasher } from '../support/fake-password-hasher.ts';
import { signedUpMember } from '../support/members.ts';
import { signIn } from '../support/oauth.ts';
import { expectProblem } from '../support/problem.ts';
import { type TcpProxy, tcpProxy } from '../support/tcp-proxy.ts';

/**
 * The network between the app and its PostgreSQL server goes and comes back (through a proxy the
 * test cuts): requests are answered 503 with Retry-After within DATABASE_CONNECT_TIMEOUT_MS, not
 * held forever nor answered 500, and the app serves again once the server is reachable.
 */
describe.runIf(onServer)('the database out of reach (PostgreSQL)', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: App;

  beforeAll(async () => {
    database = await freshDatabase();
    const server = new URL(database.url);
    proxy = await tcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const proxied = new URL(database.url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: proxied.toString(),
      DATABASE_CONNECT_TIMEOUT_MS: '300',
    });
    app = await buildApp(config, { hasher: new FakePasswordHasher() });
  });

  afterAll(async () => {
    proxy?.mend();
    await app?.close();
    await proxy?.close();
    await database?.dispose();
  });

  const signUp = (email: string) =>
    app.http.inject({
      method: 'POST',
      url: '/api/v1/members',
      payload: { email, passwd: 'Correct-Horse-9', name: 'Outage' },
    });
  /** One after the other: by the sign-up, the lanes the cut broke are gone, and new ones cannot connect. */
  const requests = (email: string) => ({
    'a lookup by key (a lookup lane)': () => app.http.inject({ method: 'GET', url: '/api/v1/books/4242' }),
    'a title search (a search lane)': () =>
      app.http.inject({ method: 'GET', url: '/api/v1/books?title=outage' }),
    'a sign-up (a lookup, then a write)': () => signUp(email),
  });

  it('answers 503 problem+json with Retry-After while it is cut, and serves again after', async () => {
    // Served, so the pool and every lane have open connections that the cut then drops.
    for (const [what, request] of Object.entries(requests('before@example.com'))) {
      expect((await request()).statusCode, what).toBeLessThan(500);
    }

    proxy.cut();
    const started = performance.now();
    for (const [what, request] of Object.entries(requests('during@example.com'))) {
      const response = await request();
      const body = expectProblem(response, 503, 'service.unavailable');
      expect(response.headers['retry-after'], what).toBe('5');
      expect(JSON.stringify(body), what).not.toMatch(/timeout|terminated|ECONN|127\.0\.0\.1/i);
    }
    const ready = await app.http.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(ready.statusCode).toBe(503);
    // Each waited for one connect timeout or two (0.3 s), not for the operating system's.
    expect(performance.now() - started).toBeLessThan(15_000);

    proxy.mend();
    expectProblem(await app.http.inject({ method: 'GET', url: '/api/v1/books/4242' }), 404, 'book.not_found');
    expect((await signUp('after@example.com')).statusCode).toBe(201);
    expect((await app.http.inject({ method: 'GET', url: '/api/v1/health/ready' })).statusCode).toBe(200);
    // Nothing of the sign-up refused during the cut was stored.
    expect((await signUp('during@example.com')).statusCode).toBe(201);
  });
});

/**
 * A statement that runs past DATABASE_STATEMENT_TIMEOUT_MS (here it waits for a row lock another
 * session holds) is stopped by the server: the request is answered 503 with Retry-After, since
 * nothing of it took effect, and it is served once the lock is gone.
 */
describe.runIf(onServer)('a statement past the statement timeout (PostgreSQL)', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let app: App;
  let holder: pg.Client;

  beforeAll(async () => {
    database = await freshDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
    });
    app = await buildApp(config, { hasher: new FakePasswordHasher() });
    holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
  });

  afterAll(async () => {
    await holder?.end();
    await app?.close();
    await database?.dispose();
  });

  it('answers 503 with Retry-After for a write stopped while it waited for a lock, and stores nothing of it', async () => {
    const { id, auth } = await signedUpMember(app, { name: 'Before' });
    const rename = () =>
      app.http.inject({
        method: 'PATCH',
        url: `/api/v1/members/${id}`,
        headers: { authorization: auth },
        payload: { name: 'After' },
      });

    await holder.query('begin');
    await holder.query('select id from accounts.members where id = $1 for update', [id]);
    const stopped = await rename();
    await holder.query('rollback');

    const body = expectProblem(stopped, 503, 'service.unavailable');
    expect(stopped.headers['retry-after']).toBe('5');
    expect(body.detail).toMatch(/in time, so nothing of it was done/);
    expect(JSON.stringify(body)).not.toMatch(/statement timeout|canceling|57014/i);
    const read = () =>
      app.http.inject({
        method: 'GET',
        url: `/api/v1/members/${id}`,
        headers: { authorization: auth },
      });
    expect((await read()).json().name).toBe('Before');
    expect((await rename()).statusCode).toBe(200);
    expect((await read()).json().name).toBe('After');
  });
  /** A member with one session revoked 31 days ago: what the accounts' housekeeping deletes. */
  async function oldSession(): Promise<string> {
    const member = await signedUpMember(app);
    const session = await signIn(app, member.email, member.password);
    await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/revoke',
      payload: { token: session.body.refresh_token },
    });
    await holder.query(
      "update accounts.sessions set revoked_at = now() - interval '31 days' where member_id = $1",
      [member.id],
    );
    return member.id;
  }

  /** Runs housekeeping while another session holds the member's sessions for `holdMs` after the delete waits. */
  async function housekeepingWhileHeld(memberId: string, holdMs: number) {
    await holder.query('begin');
    await holder.query('select id from accounts.sessions where member_id = $1 for update', [memberId]);
    const run = app.housekeeping.runNow();
    await lockWaiter(database.url);
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    await holder.query('commit');
    return run;
  }

  it('runs housekeeping without the statement limit: a delete that waits 2 s for a lock still happens', async () => {
    const id = await oldSession();
    // 2 s of waiting: past the 1.5 s limit of a request's statement, within housekeeping's 3 s.
    expect((await housekeepingWhileHeld(id, 2_000)).accounts).toEqual({ sessions: 1, passwordResets: 0 });
  });

  it('gives up a housekeeping lock wait at twice the statement limit, and leaves the rows for next time', async () => {
    const id = await oldSession();
    const done = await housekeepingWhileHeld(id, 4_000);
    expect(done.accounts).toBeUndefined();
    // The other tasks ran.
    expect(done.outbox).toBeDefined();
    expect((await app.housekeeping.runNow()).accounts).toEqual({ sessions: 1, passwordResets: 0 });
  });

  it('applies migrations at start-up without the limit: it waits for the migration lock longer than it', async () => {
    const fresh = await freshDatabase();
    // One migration pending, so that start-up migrates.
    const setup = await openDatabase<unknown>(fresh.target, { poolSize: 1 });
    await migrateDown(setup.db, migrationFolders);
    await setup.close();
    const other = new pg.Client({ connectionString: fresh.url });
    await other.connect();
    try {
      // Kysely's migration lock (its PostgreSQL adapter's advisory lock), as another instance that
      // is migrating holds it: for 2 s, longer than the 1.5 s limit.
      await other.query('select pg_advisory_lock(3853314791062309107)');
      const config = loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: fresh.url,
        DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      });
      const starting = buildApp(config, { hasher: new FakePasswordHasher() }).then(
        (started) => ({ started }),
        (error: unknown) => ({ error }),
      );
      await lockWaiter(fresh.url);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await other.query('select pg_advisory_unlock(3853314791062309107)');
      const outcome = await starting;
      expect('error' in outcome ? outcome.error : undefined).toBeUndefined();
      if ('started' in outcome) {
        const ready = await outcome.started.http.inject({ method: 'GET', url: '/api/v1/health/ready' });
        expect(ready.statusCode).toBe(200);
        await outcome.started.close();
      }
    } finally {
      await other.end();
      await fresh.dispose();
    }
  });
});

/**
 * Resolves once some session of the database waits for a lock (at most 10 s). Asked on a
 * connection of its own: inside a transaction, pg_stat_activity stays as it first read it.
 */
async function lockWaiter(url: string): Promise<void> {
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  try {
    for (let tries = 0; tries < 200; tries += 1) {
      const { rows } = await watcher.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('nothing came to wait for the lock');
  } finally {
    await watcher.end();
  }
}
