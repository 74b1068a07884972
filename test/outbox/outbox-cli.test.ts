import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, NotMigratedError } from '../../src/app.ts';
import { CliError, runCli, UsageError } from '../../src/cli.ts';
import { loadConfig } from '../../src/config.ts';
import type { Mailer, MailMessage } from '../../src/shared/application/mailer.ts';
import { emptyDatabase } from '../support/empty-database.ts';
import { FakePasswordHasher } from '../support/fake-password-hasher.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function emptyDatabaseUrl(): Promise<string> {
  const database = await emptyDatabase();
  cleanups.push(() => database.dispose());
  return database.url;
}

function configFor(url: string, env: Record<string, string> = {}) {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url, ...env });
}

async function cli(url: string, ...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, configFor(url), (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

class SwitchableMailer implements Mailer {
  down = true;
  async send(_message: MailMessage): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:25');
  }
}

/** Runs the app on the database long enough to register a member and run the relay, then stops it. */
async function withApp(
  url: string,
  mailer: Mailer,
  work: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<void>,
) {
  const app = await buildApp(
    configFor(url, { OUTBOX_RELAY: 'false', OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_BACKOFF_BASE_MS: '0' }),
    {
      hasher: new FakePasswordHasher(),
      mailer,
    },
  );
  try {
    await work(app);
  } finally {
    await app.close();
  }
}

// Each command opens the database anew, as the CLI does: on PGlite that is a folder opened from disk, seconds each.
describe('npm run cli -- outbox', { timeout: 120_000 }, () => {
  it('shows a dead letter, requeues it with retry, and purges it once delivered', async () => {
    const url = await emptyDatabaseUrl();
    const mailer = new SwitchableMailer();
    await withApp(url, mailer, async (app) => {
      await app.http.inject({
        method: 'POST',
        url: '/api/v1/members',
        payload: { email: 'cli@example.com', passwd: 'Correct-Horse-9', name: 'Cli Member' },
      });
      await app.relay.drain();
    });

    const status = await cli(url, 'outbox', 'status');
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/subscriber\s+pending\s+retrying\s+in flight\s+dead\s+oldest pending/);
    expect(status.output).toMatch(/accounts\.send_welcome_mail\s+0\s+0\s+0\s+1\s+-/);
    expect(status.output).toContain('Dead letters:');
    expect(status.output).toMatch(
      /#(\d+) {2}accounts\.send_welcome_mail {2}accounts\.member_registered \d+ .* attempts 2/,
    );
    expect(status.output).toContain('Error: connect ECONNREFUSED 127.0.0.1:25');
    const id = /#(\d+)/.exec(status.output)?.[1] ?? '';

    expect(await cli(url, 'outbox', 'retry', id)).toEqual({
      code: 0,
      output: `Requeued delivery ${id}; a running relay delivers it shortly.`,
    });
    await expect(cli(url, 'outbox', 'retry', id)).rejects.toThrow(
      new CliError(`Delivery ${id} is pending, not dead: only dead letters are retried.`),
    );
    expect((await cli(url, 'outbox', 'status')).output).toMatch(
      /accounts\.send_welcome_mail\s+1\s+0\s+0\s+0\s+\d+s/,
    );

    mailer.down = false;
    await withApp(url, mailer, async (app) => {
      expect(await app.relay.drain()).toMatchObject({ delivered: 1 });
    });
    expect((await cli(url, 'outbox', 'status')).output).toBe('Nothing waits: every delivery is delivered.');
    // The welcome mail and the projects context's example project: two deliveries of the sign-up
    // event; the events purged also count those recorded by the example project (no subscribers).
    const purged = await cli(url, 'outbox', 'purge', '--delivered-before', '2999-01-01');
    expect(purged.code).toBe(0);
    expect(purged.output).toMatch(/^Purged 2 delivered deliveries and \d+ events\.$/);
    expect(await cli(url, 'outbox', 'purge', '--delivered-before', '2999-01-01')).toEqual({
      code: 0,
      output: 'Purged 0 delivered deliveries and 0 events.',
    });
  });

  it('migrates an empty database first, and refuses to when AUTO_MIGRATE is false', async () => {
    const url = await emptyDatabaseUrl();
    await expect(
      runCli(['outbox', 'status'], configFor(url, { AUTO_MIGRATE: 'false' }), () => undefined),
    ).rejects.toThrow(NotMigratedError);
    const { code, output } = await cli(url, 'outbox', 'status');
    expect(code).toBe(0);
    expect(output).toMatch(/^applied 20261125_0001_shared_outbox_and_worker_leases$/m);
    expect(output).toMatch(/Nothing waits: every delivery is delivered\.$/);
  });

  it('answers bad arguments with usage errors', async () => {
    const url = await emptyDatabaseUrl();
    for (const argv of [
      ['outbox', 'retry'],
      ['outbox', 'retry', 'abc'],
      ['outbox', 'retry', '12', '--all-dead'],
      ['outbox', 'purge'],
      ['outbox', 'purge', '--delivered-before', 'yesterday'],
      ['outbox', 'purge', '--delivered-before', '2026-13-45'],
      ['outbox', 'frobnicate'],
    ]) {
      await expect(cli(url, ...argv), argv.join(' ')).rejects.toThrow(UsageError);
    }
    const all = await cli(url, 'outbox', 'retry', '--all-dead');
    expect(all.code).toBe(0);
    expect(all.output).toMatch(/Requeued 0 dead letter\(s\)\.$/);
    await expect(cli(url, 'outbox', 'retry', '123456')).rejects.toThrow(new CliError('No delivery 123456.'));
  });

  it('runs as a process: `node src/cli.ts outbox …`, with exit code 2 for a usage error', async () => {
    const run = (...argv: string[]) =>
      promisify(execFile)(process.execPath, ['src/cli.ts', ...argv], {
        env: { ...process.env, DATABASE_URL: 'memory://', LOG_LEVEL: 'silent' },
      });
    const { stdout } = await run('outbox', 'status');
    expect(stdout).toMatch(/Nothing waits: every delivery is delivered\.\n$/);
    await expect(run('outbox', 'retry')).rejects.toMatchObject({
      code: 2,
      stderr: 'Usage: outbox retry <delivery id> | outbox retry --all-dead\n',
    });
  });
});
