import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, UsageError } from '../src/cli.ts';
import { loadConfig } from '../src/config.ts';

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
});
