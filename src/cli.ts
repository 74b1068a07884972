import { parseArgs } from 'node:util';
import { buildApp, migrationFolders } from './app.ts';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { InvalidEmailError, WeakPasswordError } from './contexts/accounts/domain/errors.ts';
import { seedDemo } from './seed.ts';
import { type Database, openDatabase } from './shared/infrastructure/database.ts';
import {
  createMigrationFile,
  hasPendingMigrations,
  MigrationError,
  migrateDown,
  migrateToLatest,
  migrationStatus,
} from './shared/infrastructure/migrator.ts';
import { OutboxOperations } from './shared/infrastructure/outbox-operations.ts';
import { formatBacklog, formatDeadLetters } from './shared/infrastructure/outbox-report.ts';

const HELP = `Bounded admin CLI

Usage: npm run cli -- <command> [options]

Commands:
  migrate up                     apply every pending migration
  migrate down                   revert the last applied migration
  migrate status                 list migrations and whether each is applied
  migrate create <name> --in <folder-owner>
                                 write an empty migration (owner: shared or a context name)
  seed [--reset]                 create the demo data (idempotent; --reset rebuilds it)
  outbox status                  per subscriber: pending, retrying, in flight and dead deliveries
                                 and the oldest pending age; then the latest dead letters
  outbox retry <id> | --all-dead put dead letters back in the queue (attempts count from zero);
                                 running relays pick them up at once
  outbox purge --delivered-before <date>
                                 delete deliveries delivered before the date (ISO 8601), and the
                                 events left with none; pending and dead ones are always kept
  create-superuser --email <email> [--name <name>] [--password <password>]
                                 create a superuser (nothing changes if it exists); the
                                 password comes from --password or, better (it stays out of
                                 the shell history and the process list), FIRST_SUPERUSER_PASSWORD
  help, --help                   show this text

The database is the one DATABASE_URL names (default: embedded PGlite in ./data).
Commands that need the schema apply pending migrations first (with AUTO_MIGRATE=false they
refuse and say so). On PGlite, stop the server first: one process at a time may open its folder.
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
      'all-dead': { type: 'boolean' },
      'delivered-before': { type: 'string' },
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
    const database = await openDatabase<unknown>(config.database, {
      poolSize: 1,
      pipelineConnections: 0,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
    });
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

  if (command === 'outbox') {
    // Arguments are checked before the database is opened: a typo gets its answer at once.
    const action = outboxAction(sub, rest, values);
    const database = await openMigrated(config, print);
    try {
      return await runOutboxAction(database, action, print);
    } finally {
      await database.close();
    }
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

/** Opens the database for a command that needs the schema, applying pending migrations as the server would. */
async function openMigrated(config: Config, print: Print): Promise<Database<unknown>> {
  const database = await openDatabase<unknown>(config.database, {
    poolSize: 1,
    pipelineConnections: 0,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
  });
  try {
    if (await hasPendingMigrations(database.db, migrationFolders)) {
      if (!config.autoMigrate) {
        throw new MigrationError(
          'The database has pending migrations: run `npm run cli -- migrate up` first (AUTO_MIGRATE is false)',
        );
      }
      for (const line of await migrateToLatest(database.db, migrationFolders)) print(line);
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

const DEAD_LETTERS_SHOWN = 20;
const ID = /^[1-9][0-9]{0,18}$/;

type OutboxAction =
  | { readonly kind: 'status' }
  | { readonly kind: 'retry'; readonly id: string | undefined }
  | { readonly kind: 'purge'; readonly before: Date };

function outboxAction(
  sub: string | undefined,
  args: readonly string[],
  options: { 'all-dead'?: boolean; 'delivered-before'?: string },
): OutboxAction {
  if (sub === 'status') return { kind: 'status' };
  if (sub === 'retry') {
    const id = args[0];
    if ((id === undefined) === (options['all-dead'] !== true) || (id !== undefined && !ID.test(id))) {
      throw new UsageError('Usage: outbox retry <delivery id> | outbox retry --all-dead');
    }
    return { kind: 'retry', id };
  }
  if (sub === 'purge') {
    const raw = options['delivered-before'];
    const before = raw !== undefined && /^\d{4}-\d{2}-\d{2}/.test(raw) ? new Date(raw) : undefined;
    if (before === undefined || Number.isNaN(before.getTime())) {
      throw new UsageError('Usage: outbox purge --delivered-before <ISO 8601 date, e.g. 2026-11-01>');
    }
    return { kind: 'purge', before };
  }
  throw new UsageError('Usage: outbox status | retry <id>|--all-dead | purge --delivered-before <date>');
}

async function runOutboxAction(
  { db }: Database<unknown>,
  action: OutboxAction,
  print: Print,
): Promise<number> {
  if (action.kind === 'status') {
    const backlog = await OutboxOperations.backlog(db);
    const dead = backlog.reduce((sum, b) => sum + b.dead, 0);
    const letters = dead === 0 ? [] : await OutboxOperations.deadLetters(db, DEAD_LETTERS_SHOWN);
    for (const line of [...formatBacklog(backlog), ...formatDeadLetters(letters, dead)]) print(line);
    return 0;
  }
  if (action.kind === 'retry') {
    const { id } = action;
    const result = await OutboxOperations.retry(db, id === undefined ? 'all-dead' : { id });
    if (result.kind === 'not_found') {
      print(`No delivery ${id}.`);
      return 1;
    }
    if (result.kind === 'not_dead') {
      print(`Delivery ${id} is ${result.status}, not dead: only dead letters are retried.`);
      return 1;
    }
    print(
      id === undefined
        ? `Requeued ${result.ids.length} dead letter(s).`
        : `Requeued delivery ${id}; a running relay delivers it shortly.`,
    );
    return 0;
  }
  const purged = await OutboxOperations.purgeDelivered(db, action.before);
  print(`Purged ${purged.deliveries} delivered deliveries and ${purged.events} events.`);
  return 0;
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
