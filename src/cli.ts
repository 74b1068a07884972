import { parseArgs } from 'node:util';
import { buildApp, migrationFolders } from './app.ts';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { InvalidEmailError, WeakPasswordError } from './contexts/accounts/domain/errors.ts';
import { seedDemo } from './seed.ts';
import { openDatabase } from './shared/infrastructure/database.ts';
import {
  createMigrationFile,
  MigrationError,
  migrateDown,
  migrateToLatest,
  migrationStatus,
} from './shared/infrastructure/migrator.ts';

const HELP = `Bounded admin CLI

Usage: npm run cli -- <command> [options]

Commands:
  migrate up                     apply every pending migration
  migrate down                   revert the last applied migration
  migrate status                 list migrations and whether each is applied
  migrate create <name> --in <folder-owner>
                                 write an empty migration (owner: shared or a context name)
  seed [--reset]                 create the demo data (idempotent; --reset rebuilds it)
  create-superuser --email <email> [--name <name>] [--password <password>]
                                 create a superuser (nothing changes if it exists); the
                                 password comes from --password or, better (it stays out of
                                 the shell history and the process list), FIRST_SUPERUSER_PASSWORD
  help, --help                   show this text

The database is the one DATABASE_URL names (default: embedded PGlite in ./data).
Commands that need the schema apply pending migrations first.
`;

export class UsageError extends Error {}

type Print = (line: string) => void;

/** Runs one CLI command; returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  config: Config,
  print: Print,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      reset: { type: 'boolean' },
      in: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    print(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }

  if (command === 'migrate') {
    if (sub === 'create') {
      const name = rest[0];
      const owner = values.in;
      const folder = migrationFolders.find(
        (url) => owner !== undefined && url.pathname.includes(`/${owner}/`),
      );
      if (name === undefined || folder === undefined) {
        throw new UsageError('Usage: migrate create <name> --in <shared|accounts|…>');
      }
      print(`created ${await createMigrationFile(folder, name)}`);
      return 0;
    }
    const database = await openDatabase<unknown>(config.database, { poolSize: 1 });
    try {
      if (sub === 'up') {
        const applied = await migrateToLatest(database.db, migrationFolders);
        for (const line of applied.length > 0 ? applied : ['nothing to apply: the schema is up to date'])
          print(line);
      } else if (sub === 'down') {
        const reverted = await migrateDown(database.db, migrationFolders);
        for (const line of reverted.length > 0 ? reverted : ['nothing to revert']) print(line);
      } else if (sub === 'status') {
        for (const migration of await migrationStatus(database.db, migrationFolders)) {
          const when = migration.executedAt ? `applied ${migration.executedAt.toISOString()}` : 'pending';
          print(`${migration.name.padEnd(60)} ${when}`);
        }
      } else {
        throw new UsageError('Usage: migrate up|down|status|create <name>');
      }
    } finally {
      await database.close();
    }
    return 0;
  }

  if (command === 'seed') {
    const app = await buildApp({ ...config, autoMigrate: true, logLevel: 'warn' });
    try {
      const report = await seedDemo(app, { reset: values.reset === true });
      for (const line of report.lines) print(line);
    } finally {
      await app.close();
    }
    return 0;
  }

  if (command === 'create-superuser') {
    const email = values.email;
    const password = values.password ?? env.FIRST_SUPERUSER_PASSWORD;
    if (email === undefined || password === undefined || password === '') {
      throw new UsageError(
        'Usage: create-superuser --email <email> [--name <name>], with the password in FIRST_SUPERUSER_PASSWORD (or --password)',
      );
    }
    const app = await buildApp({ ...config, autoMigrate: true, logLevel: 'warn' });
    try {
      const result = await app.bus.execute({
        type: 'accounts.ensure_superuser',
        email,
        password,
        ...(values.name === undefined ? {} : { name: values.name }),
      });
      const { member } = result;
      if (result.outcome === 'taken_by_member') {
        print(`${member.email} belongs to a member who is not a superuser; nothing changed`);
        return 1;
      }
      print(
        result.outcome === 'created'
          ? `created the superuser ${member.email} (id ${member.id})`
          : `${member.email} is already a superuser; nothing changed`,
      );
      return 0;
    } catch (error) {
      if (error instanceof WeakPasswordError || error instanceof InvalidEmailError)
        throw new UsageError(error.message);
      throw error;
    } finally {
      await app.close();
    }
  }

  throw new UsageError(`Unknown command "${command}". Run with --help for the list.`);
}

async function main(): Promise<void> {
  try {
    loadDotEnv();
    const code = await runCli(process.argv.slice(2), loadConfig(), (line) =>
      process.stdout.write(`${line}\n`),
    );
    process.exit(code);
  } catch (error) {
    const known =
      error instanceof ConfigError || error instanceof UsageError || error instanceof MigrationError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${known ? message : `Failed: ${message}`}\n`);
    process.exit(known && error instanceof UsageError ? 2 : 1);
  }
}

if (import.meta.main) await main();
