import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onServer, type TestDatabase } from '../test/support/database.ts';
import { CliError, cliConfig, runCli, UsageError } from './cli.ts';
import { ConfigError, loadConfig } from './config.ts';

describe('npm run cli -- create-superuser', () => {
  let folder: string;
  let server: TestDatabase | undefined;
  let databaseUrl: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'bounded-cli-'));
    // The CLI opens the database itself: a PGlite folder of its own, or a database on the server.
    server = onServer ? await freshDatabase() : undefined;
    databaseUrl = server?.url ?? `pglite://${join(folder, 'data')}`;
  });
  afterAll(async () => {
    await server?.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  async function cli(
    args: string[],
    env: Record<string, string> = {},
    settings: Record<string, string> = {},
  ) {
    const lines: string[] = [];
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      ...settings,
    });
    const code = await runCli(args, config, (line) => lines.push(line), env);
    return { code, output: lines.join('\n') };
  }

  it('creates a superuser with the password from FIRST_SUPERUSER_PASSWORD, once', async () => {
    const first = await cli(['create-superuser', '--email', 'Root@Example.com', '--name', 'Root'], {
      FIRST_SUPERUSER_PASSWORD: 'Cli-Root-Pass-1!',
    });
    expect(first).toEqual({
      code: 0,
      output: expect.stringMatching(/^created the superuser root@example.com \(id \d+\)$/),
    });
    const again = await cli([
      'create-superuser',
      '--email',
      'root@example.com',
      '--password',
      'Other-Pass-2!',
    ]);
    expect(again).toEqual({ code: 0, output: 'root@example.com is already a superuser; nothing changed' });
  });

  it('refuses a password that breaks the policy, or none, as a usage error', async () => {
    await expect(
      cli(['create-superuser', '--email', 'weak@example.com', '--password', 'weak']),
    ).rejects.toThrow(
      new UsageError(
        'The password must be 8 to 128 characters long, contain an upper-case letter, contain a special character',
      ),
    );
    await expect(cli(['create-superuser', '--email', 'none@example.com'])).rejects.toThrow(
      /FIRST_SUPERUSER_PASSWORD/,
    );
    await expect(cli(['create-superuser', '--password', 'Cli-Root-Pass-1!'])).rejects.toThrow(UsageError);
  });

  it('refuses a name the member rules refuse as a usage error', async () => {
    for (const name of ['', '   ', 'n'.repeat(500)]) {
      await expect(
        cli([
          'create-superuser',
          '--email',
          'named@example.com',
          '--password',
          'Cli-Root-Pass-1!',
          '--name',
          name,
        ]),
      ).rejects.toThrow(new UsageError('A name is 1 to 100 characters long'));
    }
  });

  it('never creates the FIRST_SUPERUSER_* superuser: that is the server start-up job', async () => {
    const first = {
      FIRST_SUPERUSER_EMAIL: 'first@example.com',
      FIRST_SUPERUSER_PASSWORD: 'First-Pass-2026!',
    };
    await expect(cli(['create-superuser', '--email', 'bad-email'], first, first)).rejects.toThrow(UsageError);
    const other = await cli(['create-superuser', '--email', 'other@example.com'], first, first);
    expect(other.output).toMatch(/^created the superuser other@example.com/);
    expect((await cli(['seed'], first, first)).code).toBe(0);
    const made = await cli(['create-superuser', '--email', 'first@example.com'], first);
    expect(made.output).toMatch(/^created the superuser first@example.com/);
    // A demo member's email: a failure, said on stderr like every other (main writes what is thrown).
    await expect(cli(['create-superuser', '--email', 'ada@demo.bounded.dev'], first)).rejects.toThrow(
      new CliError('ada@demo.bounded.dev belongs to a member who is not a superuser; nothing changed'),
    );
  });

  it('reads its settings without the FIRST_SUPERUSER_* pair, which the server alone still wants whole', () => {
    const env = { DATABASE_URL: 'memory://', FIRST_SUPERUSER_PASSWORD: 'Boss-Pass-2026!' };
    expect(cliConfig(env).firstSuperuser).toBeUndefined();
    expect(cliConfig({ ...env, FIRST_SUPERUSER_EMAIL: 'boss@x.dev' }).firstSuperuser).toBeUndefined();
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });
});
