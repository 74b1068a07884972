import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NotMigratedError } from '../src/app.ts';
import { CliError, failure, parseCutoff, runCli, UsageError } from '../src/cli.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/shared/infrastructure/database.ts';
import { createMigrationFile } from '../src/shared/infrastructure/migrator.ts';
import { DataFolderError } from '../src/shared/infrastructure/pglite-lock.ts';
import { freePort, startProcess } from './support/process.ts';

// Writing into the real migration folders is left to the real function only where the test says.
vi.mock('../src/shared/infrastructure/migrator.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/shared/infrastructure/migrator.ts')>();
  return { ...original, createMigrationFile: vi.fn(original.createMigrationFile) };
});

describe('the admin CLI', () => {
  let dir: string;
  let config: ReturnType<typeof loadConfig>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bounded-cli-'));
    config = loadConfig({ DATABASE_URL: `pglite://${join(dir, 'db')}`, LOG_LEVEL: 'silent' });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function cli(...args: string[]): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const code = await runCli(args, config, (line) => out.push(line));
    return { code, out };
  }

  it('shows its help with --help and without a command', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toMatch(/migrate up[\s\S]*seed \[--reset\]/);
    expect((await cli()).code).toBe(2);
  });

  it('migrates up, reports status, migrates down one step and up again', async () => {
    const before = await cli('migrate', 'status');
    expect(before.out.length).toBeGreaterThan(1);
    expect(before.out.every((line) => line.endsWith('pending'))).toBe(true);
    const up = await cli('migrate', 'up');
    expect(up.out.every((line) => line.startsWith('applied '))).toBe(true);
    expect((await cli('migrate', 'up')).out).toEqual(['nothing to apply: the schema is up to date']);
    const after = await cli('migrate', 'status');
    expect(after.out.every((line) => /applied \d{4}-/.test(line))).toBe(true);
    const down = await cli('migrate', 'down');
    expect(down.out).toHaveLength(1);
    expect(down.out[0]).toMatch(/^reverted /);
    expect((await cli('migrate', 'status')).out.at(-1)).toMatch(/pending$/);
    expect((await cli('migrate', 'up')).out).toHaveLength(1);
  });

  it('seeds the demo once; running it again changes nothing', async () => {
    const first = await cli('seed');
    expect(first.out.join('\n')).toMatch(/ada@demo\.bounded\.dev\s+Demo-Ada-2026!/);
    expect(first.out.join('\n')).toMatch(/root@demo\.bounded\.dev\s+Demo-Root-2026!\s+\(superuser\)/);
    const second = await cli('seed');
    expect(second.out.join('\n')).toMatch(/already there; nothing changed/);
    expect(second.out.join('\n')).not.toMatch(/Demo-Ada-2026!/);
  });

  it('creates an empty migration file in the named folder, and refuses bad names', async () => {
    const folder = join(dir, 'migrations');
    const { createMigrationFile } = await import('../src/shared/infrastructure/migrator.ts');
    const path = await createMigrationFile(
      new URL(`file://${folder}/`),
      'add_things',
      new Date('2026-11-25T12:34:00Z'),
    );
    expect(path).toBe(join(folder, '20261125_1234_add_things.ts'));
    expect(await readdir(folder)).toEqual(['20261125_1234_add_things.ts']);
    await expect(createMigrationFile(new URL(`file://${folder}/`), 'Bad Name')).rejects.toThrow(
      /a-z, 0-9 and _/,
    );
    await expect(cli('migrate', 'create', 'x')).rejects.toThrow(UsageError);
  });

  it('refuses unknown commands with a usage error', async () => {
    await expect(cli('frobnicate')).rejects.toThrow(/Unknown command "frobnicate"/);
  });

  it('refuses unknown options, missing values and values for switches as usage errors', async () => {
    for (const args of [
      ['--frob'],
      ['-x'],
      ['seed', '--reset=yes'],
      ['create-superuser', '--email'],
      ['migrate', 'create', 'foo', '--in'],
    ]) {
      await expect(cli(...args), args.join(' ')).rejects.toThrow(UsageError);
    }
    await expect(cli('--frob')).rejects.toThrow("Unknown option '--frob'. Run with --help for the usage.");
    // A value that starts with a dash keeps node's hint for it, in one sentence.
    await expect(cli('create-superuser', '--email', 'a@b.dev', '--password', '-Secret-9x')).rejects.toThrow(
      "Option '--password' argument is ambiguous (To specify an option argument starting with a dash use '--password=-XYZ'). Run with --help for the usage.",
    );
  });

  it('refuses extra arguments, and options a command does not take, before opening anything', async () => {
    const untouched = join(dir, 'never-opened');
    const lines = [
      ['migrate', 'up', 'extra', 'junk'],
      ['migrate', 'bogus'],
      ['migrate', 'status', '--reset', '--email', 'x'],
      ['seed', 'now'],
      ['seed', '--all-dead'],
      ['outbox', 'retry', '5', '6'],
      ['outbox', 'retry', '5', '--all-dead'],
      ['outbox', 'status', '--in', 'shared'],
      ['outbox', 'purge', '--delivered-before', '2026-01-01', 'extra'],
      [
        'create-superuser',
        'root@example.com',
        '--email',
        'root@example.com',
        '--password',
        'Cli-Root-Pass-1!',
      ],
    ];
    for (const args of lines) {
      await expect(cliOn(`pglite://${untouched}`, args), args.join(' ')).rejects.toThrow(UsageError);
    }
    await expect(cliOn(`pglite://${untouched}`, ['migrate', 'up', 'extra'])).rejects.toThrow(
      'Unexpected argument "extra". Usage: migrate up',
    );
    expect(existsSync(untouched)).toBe(false);
  });

  it('takes a purge date only as a strict calendar date or instant, before opening anything', async () => {
    const untouched = join(dir, 'never-purged');
    for (const date of ['2026-01-15junk', '2026-01-15 dec', '2026-02-31', '0000-01-01', '2026-01-15T10:00']) {
      await expect(
        cliOn(`pglite://${untouched}`, ['outbox', 'purge', '--delivered-before', date]),
        date,
      ).rejects.toThrow(UsageError);
    }
    expect(existsSync(untouched)).toBe(false);
  });

  it('reads a cut-off by round trip: every field as written, years 1970 to 9999', () => {
    expect(parseCutoff('2026-01-15')).toEqual(new Date('2026-01-15T00:00:00Z'));
    expect(parseCutoff('2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(parseCutoff('2026-01-15T10:30+02:00')).toEqual(new Date('2026-01-15T08:30:00Z'));
    expect(parseCutoff('2026-01-15T10:30:05.5Z')).toEqual(new Date('2026-01-15T10:30:05.500Z'));
    expect(parseCutoff('9999-12-31')).toEqual(new Date('9999-12-31T00:00:00Z'));
    for (const wrong of [
      '2026-01-15junk',
      '2026-01-15 dec',
      '2026-02-31',
      '2025-02-29',
      '2026-13-01',
      '2026-00-10',
      '0000-01-01',
      '1969-12-31',
      '10000-01-01',
      '2026-1-5',
      ' 2026-01-15',
      '2026-01-15T10:00',
      '2026-01-15T24:00Z',
      '2026-01-15T10:60Z',
      '2026-01-15T10:00+24:00',
      'June 1, 2026',
      '',
    ]) {
      expect(parseCutoff(wrong), wrong).toBeUndefined();
    }
  });

  it('refuses a delivery id beyond bigint as a usage error', async () => {
    await expect(cli('outbox', 'retry', '9223372036854775808')).rejects.toThrow(UsageError);
    await expect(cli('outbox', 'retry', '9223372036854775807')).rejects.toThrow(
      new CliError('No delivery 9223372036854775807.'),
    );
  });

  it('writes a migration only into a folder named exactly, and refuses a taken file in one line', async () => {
    // Were an owner taken, nothing is written: the file would land in a source folder.
    vi.mocked(createMigrationFile).mockImplementation(async () => '/nowhere');
    for (const owner of ['src', 'infrastructure', 'contexts', 'tmp', 'account']) {
      await expect(cli('migrate', 'create', 'x', '--in', owner), owner).rejects.toThrow(
        'Usage: migrate create <name> --in shared|accounts|catalog|projects',
      );
    }
    expect(createMigrationFile).not.toHaveBeenCalled();
    vi.mocked(createMigrationFile).mockReset();
    await expect(cli('migrate', 'create', 'Foo-Bar', '--in', 'shared')).rejects.toThrow(UsageError);
    const taken = Object.assign(new Error("EEXIST: file already exists, open '/m/20261125_1234_foo.ts'"), {
      code: 'EEXIST',
      path: '/m/20261125_1234_foo.ts',
    });
    vi.mocked(createMigrationFile).mockRejectedValueOnce(taken);
    const refused = cli('migrate', 'create', 'foo', '--in', 'accounts');
    await expect(refused).rejects.toThrow(CliError);
    await expect(refused).rejects.toThrow(
      '/m/20261125_1234_foo.ts already exists: pick another name, or wait a minute for a new timestamp',
    );
  });

  it('refuses a PGlite folder another process or handle has open, naming it', async () => {
    const folder = join(dir, 'busy');
    const held = await openDatabase({ kind: 'pglite', dataDir: folder });
    try {
      const attempt = cliOn(`pglite://${folder}`, ['migrate', 'status']);
      await expect(attempt).rejects.toThrow(DataFolderError);
      await expect(attempt).rejects.toThrow(
        `the database folder ${folder} is in use by process ${process.pid}; stop it first`,
      );
    } finally {
      await held.close();
    }
    expect((await cliOn(`pglite://${folder}`, ['migrate', 'status'])).code).toBe(0);
  });

  it('refuses a folder that holds other things than a database, leaving it as it was', async () => {
    const folder = await mkdtemp(join(dir, 'junk-'));
    await writeFile(join(folder, 'notes.txt'), 'mine');
    await expect(cliOn(`pglite://${folder}`, ['migrate', 'status'])).rejects.toThrow(
      /holds other files and no PostgreSQL data/,
    );
    expect(await readdir(folder)).toEqual(['notes.txt']);
  });

  it('with AUTO_MIGRATE=false, seed and create-superuser refuse an unmigrated database', async () => {
    const url = `pglite://${join(dir, 'unmigrated')}`;
    const env = { AUTO_MIGRATE: 'false' };
    await expect(cliOn(url, ['seed'], env)).rejects.toThrow(NotMigratedError);
    await expect(
      cliOn(url, ['create-superuser', '--email', 'root@example.com', '--password', 'Cli-Root-Pass-1!'], env),
    ).rejects.toThrow(NotMigratedError);
    const status = await cliOn(url, ['migrate', 'status']);
    expect(status.out.every((line) => line.endsWith('pending'))).toBe(true);
  });

  it('has nothing to revert on an unmigrated database, and creates nothing saying so', async () => {
    const folder = join(dir, 'never-migrated');
    expect(await cliOn(`pglite://${folder}`, ['migrate', 'down'])).toEqual({
      code: 0,
      out: ['nothing to revert'],
    });
    const database = await openDatabase({ kind: 'pglite', dataDir: folder });
    try {
      const { rows } = await sql<{ name: string }>`
        select schema_name as name from information_schema.schemata where schema_name = 'shared'`.execute(
        database.db,
      );
      expect(rows).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('says in one line which server cannot be reached, and that DATABASE_URL is no URL', async () => {
    const refused = cliOn('postgres://bounded:secret@127.0.0.1:1/bounded', ['migrate', 'status']);
    await expect(refused).rejects.toThrow(CliError);
    await expect(refused).rejects.toThrow(
      /^the database at 127\.0\.0\.1:1 cannot be reached \(.*ECONNREFUSED.*\); check DATABASE_URL, and DATABASE_CONNECT_TIMEOUT_MS \(5000 ms\)/,
    );
    await expect(cliOn('postgres://u:secret@host:notaport/db', ['migrate', 'status'])).rejects.toThrow(
      /^Invalid DATABASE_URL="postgres:\/\/\*\*\*@host:notaport\/db": pglite:\/\/<folder>, memory:\/\/ or postgres/,
    );
  });

  it('shows its help without reading the settings', async () => {
    const out: string[] = [];
    const settings = vi.fn(() => loadConfig({ LOG_LEVEL: 'loud' }));
    expect(await runCli(['--help'], settings, (line) => out.push(line))).toBe(0);
    expect(out.join('\n')).toMatch(/^Bounded admin CLI/);
    expect(settings).not.toHaveBeenCalled();
  });

  it('ends a failure in one line: usage errors 2, others 1, and what a non-Error holds', () => {
    expect(failure(new UsageError('Usage: seed [--reset]'))).toEqual({
      line: 'Usage: seed [--reset]',
      code: 2,
    });
    expect(failure(new CliError('the database folder /x is in use'))).toEqual({
      line: 'the database folder /x is in use',
      code: 1,
    });
    expect(failure(new Error('boom'))).toEqual({ line: 'Failed: boom', code: 1 });
    expect(failure({ name: 'ErrnoError', errno: 54 })).toEqual({
      line: "Failed: { name: 'ErrnoError', errno: 54 }",
      code: 1,
    });
  });

  async function cliOn(
    url: string,
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const settings = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', ...env });
    const code = await runCli(args, settings, (line) => out.push(line), {});
    return { code, out };
  }
});

describe('node src/cli.ts, as a process', () => {
  const run = promisify(execFile);
  const entry = new URL('../src/cli.ts', import.meta.url).pathname;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bounded-cli-process-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Runs the CLI in an empty folder (no .env) with only the given settings; never rejects. */
  async function cli(args: string[], env: Record<string, string> = {}) {
    const result = await run(process.execPath, [entry, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: `pglite://${join(dir, 'db')}`, ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  }

  it('shows its help whatever the settings, and ends a usage error with 2 in one line', async () => {
    const help = await cli(['--help'], { LOG_LEVEL: 'loud' });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Bounded admin CLI/);
    expect(await cli(['--frob'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "Unknown option '--frob'. Run with --help for the usage.\n",
    });
  });

  it('creates a superuser with the password from FIRST_SUPERUSER_PASSWORD alone, as the help says', async () => {
    const created = await cli(['create-superuser', '--email', 'boss@x.dev'], {
      FIRST_SUPERUSER_PASSWORD: 'Boss-Pass-2026!',
      // Else the app warns, on stdout, that it signs tokens with a development secret.
      JWT_SECRET: randomBytes(48).toString('base64'),
    });
    expect(created).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^created the superuser boss@x\.dev \(id \d+\)\n$/),
      stderr: '',
    });
  });

  it('is refused while the server has the PGlite folder, and works once the server stopped', async () => {
    const folder = join(dir, 'served');
    const server = await startProcess(
      ['src/main.ts'],
      { DATABASE_URL: `pglite://${folder}`, PORT: String(await freePort()), NODE_ENV: 'test' },
      'Bounded is ready',
    );
    try {
      expect(await cli(['migrate', 'status'], { DATABASE_URL: `pglite://${folder}` })).toEqual({
        code: 1,
        stdout: '',
        stderr: `the database folder ${folder} is in use by process ${server.child.pid}; stop it first\n`,
      });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(await readdir(folder)).not.toContain('bounded.lock');
    expect((await cli(['migrate', 'up'], { DATABASE_URL: `pglite://${folder}` })).stdout).toBe(
      'nothing to apply: the schema is up to date\n',
    );
  });
});
