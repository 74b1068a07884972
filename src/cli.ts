import { inspect, parseArgs } from 'node:util';
import { type App, buildApp, migrationFolders, migrationOwners, NotMigratedError } from './app.ts';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { Email } from './contexts/accounts/domain/email.ts';
import {
  InvalidEmailError,
  InvalidMemberNameError,
  WeakPasswordError,
} from './contexts/accounts/domain/errors.ts';
import { MemberName } from './contexts/accounts/domain/member-name.ts';
import { Password } from './contexts/accounts/domain/password.ts';
import { seedDemo } from './seed.ts';
import { Id } from './shared/domain/id.ts';
import {
  type Database,
  openDatabase,
  outOfReach,
  unreachableLine,
} from './shared/infrastructure/database.ts';
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
import { DataFolderError } from './shared/infrastructure/pglite-lock.ts';

const MIGRATE_CREATE_USAGE = `migrate create <name> --in ${[...migrationOwners.keys()].join('|')}`;
const HELP = `Bounded admin CLI

Usage: npm run cli -- <command> [options]

Commands:
  migrate up                     apply every pending migration
  migrate down                   revert the last applied migration
  migrate status                 list migrations and whether each is applied
  migrate create <name> --in <owner>
                                 write an empty migration (name: a-z, 0-9 and _; owner: one of
                                 ${[...migrationOwners.keys()].join(', ')})
  seed [--reset]                 create the demo data (idempotent; --reset rebuilds it)
  outbox status                  per subscriber: pending, retrying, in flight and dead deliveries
                                 and the oldest pending age; then the latest dead letters
  outbox retry <id> | --all-dead put dead letters back in the queue (attempts count from zero);
                                 running relays pick them up at once
  outbox purge --delivered-before <date>
                                 delete deliveries delivered before the date (YYYY-MM-DD, midnight
                                 UTC, or an ISO 8601 instant with its zone, e.g. 2026-11-01T12:00Z),
                                 and the events left with none; pending and dead ones are always kept
  create-superuser --email <email> [--name <name>] [--password <password>]
                                 create a superuser (nothing changes if it exists); the
                                 password comes from --password or, better (it stays out of
                                 the shell history and the process list), FIRST_SUPERUSER_PASSWORD
  help, --help                   show this text

The database is the one DATABASE_URL names (default: embedded PGlite in ./data).
Commands that need the schema apply pending migrations first (with AUTO_MIGRATE=false they
refuse and say so). FIRST_SUPERUSER_EMAIL is the server's, at start-up: the CLI ignores it.
On PGlite one process at a time may open the folder: while the server runs, the CLI is refused.
`;

export class UsageError extends Error {}

/** A refusal the operator can act on, already said in one line: printed as it is, exit code 1. */
export class CliError extends Error {}

type Print = (line: string) => void;
type Env = Readonly<Record<string, string | undefined>>;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  reset: { type: 'boolean' },
  in: { type: 'string' },
  'all-dead': { type: 'boolean' },
  'delivered-before': { type: 'string' },
  email: { type: 'string' },
  name: { type: 'string' },
  password: { type: 'string' },
} as const;
type Option = keyof typeof OPTIONS;
type Values = { readonly [K in Option]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const SUPERUSER_USAGE =
  'create-superuser --email <email> [--name <name>], with the password in FIRST_SUPERUSER_PASSWORD (or --password)';

/** What a command line asks for, checked in full before anything is opened or written. */
type Invocation =
  | { readonly kind: 'help'; readonly code: number }
  | { readonly kind: 'migrate'; readonly action: 'up' | 'down' | 'status' }
  | { readonly kind: 'migrate-create'; readonly name: string; readonly folder: URL }
  | { readonly kind: 'seed'; readonly reset: boolean }
  | { readonly kind: 'outbox'; readonly action: OutboxAction }
  | {
      readonly kind: 'create-superuser';
      readonly email: string;
      readonly password: string;
      readonly name: string | undefined;
    };

/**
 * Runs one CLI command; returns the process exit code. The configuration is read only once the
 * command line is known good and needs it (`--help` works whatever the settings).
 */
export async function runCli(
  argv: readonly string[],
  config: Config | (() => Config),
  print: Print,
  env: Env = process.env,
): Promise<number> {
  const invocation = parseInvocation(argv, env);
  if (invocation.kind === 'help') {
    print(HELP);
    return invocation.code;
  }
  if (invocation.kind === 'migrate-create') return createMigration(invocation, print);
  const settings = typeof config === 'function' ? config() : config;
  try {
    return await execute(invocation, settings, print);
  } catch (error) {
    throw explained(error, settings);
  }
}

/**
 * The CLI's settings: the server's, without FIRST_SUPERUSER_EMAIL/PASSWORD. Only the server
 * creates that superuser at start-up; `create-superuser` reads the password variable itself, so
 * setting it alone, as the help advises, is no half-set pair here.
 */
export function cliConfig(env: Env): Config {
  return loadConfig({ ...env, FIRST_SUPERUSER_EMAIL: undefined, FIRST_SUPERUSER_PASSWORD: undefined });
}

function parseInvocation(argv: readonly string[], env: Env): Invocation {
  const { values, positionals } = parseCommandLine(argv);
  const [command, sub, ...rest] = positionals;
  if (values.help === true || command === 'help') return { kind: 'help', code: 0 };
  if (command === undefined) return { kind: 'help', code: 2 };
  const args = positionals.slice(1);
  if (command === 'migrate') return migrateInvocation(sub, rest, values);
  if (command === 'seed') {
    expectOnly(values, args, { options: ['reset'], positionals: 0, usage: 'seed [--reset]' });
    return { kind: 'seed', reset: values.reset === true };
  }
  if (command === 'outbox') return { kind: 'outbox', action: outboxAction(sub, rest, values) };
  if (command === 'create-superuser') return superuserInvocation(values, args, env);
  throw new UsageError(`Unknown command "${command}". Run with --help for the list.`);
}

/** node:util's parseArgs, strict; its refusals (unknown option, missing value) are usage errors. */
function parseCommandLine(argv: readonly string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    // Its first sentence (the advice about `--` reads oddly here), and its hint for a value that
    // starts with a dash (a password may), which is how to pass one.
    const lines = (error as Error).message.split('\n');
    const problem = lines[0]!.replace(/\. To specify .*$/, '').replace(/\.$/, '');
    const dash = lines.find((line) => line.startsWith('To specify an option argument starting with a dash'));
    const hint = dash === undefined ? '' : ` (${dash.replace(/\.$/, '')})`;
    throw new UsageError(`${problem}${hint}. Run with --help for the usage.`);
  }
}

/** Refuses positionals beyond what a command takes, and options it does not take. */
function expectOnly(
  values: Values,
  positionals: readonly string[],
  allowed: { readonly options: readonly Option[]; readonly positionals: number; readonly usage: string },
): void {
  const extra = positionals[allowed.positionals];
  if (extra !== undefined) {
    throw new UsageError(`Unexpected argument "${extra}". Usage: ${allowed.usage}`);
  }
  const option = (Object.keys(values) as Option[]).find((name) => !allowed.options.includes(name));
  if (option !== undefined) {
    throw new UsageError(`--${option} does not go with this command. Usage: ${allowed.usage}`);
  }
}

function migrateInvocation(sub: string | undefined, args: readonly string[], values: Values): Invocation {
  if (sub === 'create') {
    expectOnly(values, args, { options: ['in'], positionals: 1, usage: MIGRATE_CREATE_USAGE });
    const name = args[0];
    // The exact owner: matching part of the path would take `src` or `tmp` for a folder.
    const folder = values.in === undefined ? undefined : migrationOwners.get(values.in);
    if (name === undefined || folder === undefined) {
      throw new UsageError(`Usage: ${MIGRATE_CREATE_USAGE}`);
    }
    return { kind: 'migrate-create', name, folder };
  }
  if (sub === 'up' || sub === 'down' || sub === 'status') {
    expectOnly(values, args, { options: [], positionals: 0, usage: `migrate ${sub}` });
    return { kind: 'migrate', action: sub };
  }
  throw new UsageError(`Usage: migrate up|down|status | ${MIGRATE_CREATE_USAGE}`);
}

/** The member's details are checked here, by the domain's own rules, before anything is opened. */
function superuserInvocation(values: Values, args: readonly string[], env: Env): Invocation {
  expectOnly(values, args, {
    options: ['email', 'name', 'password'],
    positionals: 0,
    usage: SUPERUSER_USAGE,
  });
  const { email, name } = values;
  const password = values.password ?? env.FIRST_SUPERUSER_PASSWORD;
  if (email === undefined || password === undefined || password === '') {
    throw new UsageError(`Usage: ${SUPERUSER_USAGE}`);
  }
  try {
    Email.parse(email);
    Password.create(password);
    if (name !== undefined) MemberName.parse(name);
  } catch (error) {
    throw asUsageError(error);
  }
  return { kind: 'create-superuser', email, password, name };
}

/** The member rules' refusals are the operator's to mend: usage errors, said as the API says them. */
function asUsageError(error: unknown): unknown {
  const refused =
    error instanceof InvalidEmailError ||
    error instanceof WeakPasswordError ||
    error instanceof InvalidMemberNameError;
  return refused ? new UsageError(error.message) : error;
}

/** A command that needs the settings and, all but one, the database. */
type DatabaseCommand = Exclude<Invocation, { kind: 'help' | 'migrate-create' }>;

async function execute(invocation: DatabaseCommand, config: Config, print: Print): Promise<number> {
  switch (invocation.kind) {
    case 'migrate':
      return migrate(invocation.action, config, print);
    case 'seed':
      return seed(invocation.reset, config, print);
    case 'outbox': {
      const database = await openMigrated(config, print);
      try {
        return await runOutboxAction(database, invocation.action, print);
      } finally {
        await database.close();
      }
    }
    case 'create-superuser':
      return createSuperuser(invocation, config, print);
  }
}

async function createMigration(
  { name, folder }: { readonly name: string; readonly folder: URL },
  print: Print,
): Promise<number> {
  try {
    print(`created ${await createMigrationFile(folder, name)}`);
    return 0;
  } catch (error) {
    if (error instanceof MigrationError)
      throw new UsageError(`${error.message}. Usage: ${MIGRATE_CREATE_USAGE}`);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const path = (error as NodeJS.ErrnoException).path;
      throw new CliError(`${path} already exists: pick another name, or wait a minute for a new timestamp`);
    }
    throw error;
  }
}

async function migrate(action: 'up' | 'down' | 'status', config: Config, print: Print): Promise<number> {
  const database = await open(config);
  try {
    if (action === 'up') {
      const applied = await migrateToLatest(database.db, migrationFolders);
      for (const line of applied.length > 0 ? applied : ['nothing to apply: the schema is up to date'])
        print(line);
    } else if (action === 'down') {
      // Asked first: Kysely's migrateDown creates its bookkeeping tables before it looks.
      const status = await migrationStatus(database.db, migrationFolders);
      const reverted = status.some((migration) => migration.executedAt !== undefined)
        ? await migrateDown(database.db, migrationFolders)
        : [];
      for (const line of reverted.length > 0 ? reverted : ['nothing to revert']) print(line);
    } else {
      for (const migration of await migrationStatus(database.db, migrationFolders)) {
        const when = migration.executedAt ? `applied ${migration.executedAt.toISOString()}` : 'pending';
        print(`${migration.name.padEnd(60)} ${when}`);
      }
    }
  } finally {
    await database.close();
  }
  return 0;
}

/**
 * The app for a command that runs through the bus: the server's settings with its AUTO_MIGRATE,
 * quieter, and never creating FIRST_SUPERUSER_* (the server's start-up job, not every command's).
 */
function buildCliApp(config: Config): Promise<App> {
  return buildApp({ ...config, firstSuperuser: undefined, logLevel: 'warn' });
}

async function seed(reset: boolean, config: Config, print: Print): Promise<number> {
  const app = await buildCliApp(config);
  try {
    const report = await seedDemo(app, { reset });
    for (const line of report.lines) print(line);
  } finally {
    await app.close();
  }
  return 0;
}

async function createSuperuser(
  { email, password, name }: Extract<Invocation, { kind: 'create-superuser' }>,
  config: Config,
  print: Print,
): Promise<number> {
  const app = await buildCliApp(config);
  try {
    // Email, password and name were checked with the command line (superuserInvocation).
    const result = await app.bus.execute({
      type: 'accounts.ensure_superuser',
      email,
      password,
      ...(name === undefined ? {} : { name }),
    });
    const { member } = result;
    if (result.outcome === 'taken_by_member') {
      throw new CliError(`${member.email} belongs to a member who is not a superuser; nothing changed`);
    }
    print(
      result.outcome === 'created'
        ? `created the superuser ${member.email} (id ${member.id})`
        : `${member.email} is already a superuser; nothing changed`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

function open(config: Config): Promise<Database<unknown>> {
  return openDatabase<unknown>(config.database, {
    poolSize: 1,
    pipelineConnections: 0,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
  });
}

/** Opens the database for a command that needs the schema, applying pending migrations as the server would. */
async function openMigrated(config: Config, print: Print): Promise<Database<unknown>> {
  const database = await open(config);
  try {
    if (await hasPendingMigrations(database.db, migrationFolders)) {
      if (!config.autoMigrate) {
        throw new NotMigratedError();
      }
      for (const line of await migrateToLatest(database.db, migrationFolders)) print(line);
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * A failure for want of the database, said in one line naming where and what to check (as the
 * server's start-up does); anything else as it is. (An unreadable DATABASE_URL never gets here:
 * reading the settings refuses it.)
 */
function explained(error: unknown, config: Config): unknown {
  if (outOfReach(error)) {
    return new CliError(unreachableLine(config.database, config.databaseConnectTimeoutMs, error));
  }
  return error;
}

const DEAD_LETTERS_SHOWN = 20;
const RETRY_USAGE = 'outbox retry <delivery id> | outbox retry --all-dead';
const PURGE_USAGE =
  'outbox purge --delivered-before <date: YYYY-MM-DD (midnight UTC), or an ISO 8601 instant with its zone>';

type OutboxAction =
  | { readonly kind: 'status' }
  | { readonly kind: 'retry'; readonly id: string | undefined }
  | { readonly kind: 'purge'; readonly before: Date };

function outboxAction(sub: string | undefined, args: readonly string[], options: Values): OutboxAction {
  if (sub === 'status') {
    expectOnly(options, args, { options: [], positionals: 0, usage: 'outbox status' });
    return { kind: 'status' };
  }
  if (sub === 'retry') {
    expectOnly(options, args, { options: ['all-dead'], positionals: 1, usage: RETRY_USAGE });
    const id = args[0];
    // A delivery id is a bigint column's: the text rule of an id (positive, at most 2^63-1).
    const valid = id === undefined || Id.tryParse(id) !== undefined;
    if ((id === undefined) === (options['all-dead'] !== true) || !valid) {
      throw new UsageError(`Usage: ${RETRY_USAGE}`);
    }
    return { kind: 'retry', id };
  }
  if (sub === 'purge') {
    expectOnly(options, args, { options: ['delivered-before'], positionals: 0, usage: PURGE_USAGE });
    const raw = options['delivered-before'];
    const before = raw === undefined ? undefined : parseCutoff(raw);
    if (before === undefined) throw new UsageError(`Usage: ${PURGE_USAGE}`);
    return { kind: 'purge', before };
  }
  throw new UsageError('Usage: outbox status | retry <id>|--all-dead | purge --delivered-before <date>');
}

const CUTOFF =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:Z|([+-])(\d{2}):(\d{2})))?$/;

/**
 * A purge's cut-off: a calendar date (midnight UTC) or an instant with its zone, years 1970 to
 * 9999, and nothing else. Every field must survive the round trip through Date: `new Date` alone
 * reads `2026-01-15junk` as June and rolls February 31st over into March, and a purge acts on it.
 */
export function parseCutoff(raw: string): Date | undefined {
  const match = CUTOFF.exec(raw);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((field) => Number(field ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millisecond = Number((match[7] ?? '').padEnd(3, '0'));
  const offsetMinutes = (match[8] === '-' ? -1 : 1) * (Number(match[9] ?? 0) * 60 + Number(match[10] ?? 0));
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (Number(match[9] ?? 0) > 23 || Number(match[10] ?? 0) > 59) return undefined;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
  const kept =
    local.getUTCFullYear() === year && local.getUTCMonth() === month - 1 && local.getUTCDate() === day;
  return kept ? new Date(local.getTime() - offsetMinutes * 60_000) : undefined;
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
    if (result.kind === 'not_found') throw new CliError(`No delivery ${id}.`);
    if (result.kind === 'not_dead') {
      throw new CliError(`Delivery ${id} is ${result.status}, not dead: only dead letters are retried.`);
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

/** How a failure ends the process: one line, and 2 for a usage error, else 1. */
export function failure(error: unknown): { readonly line: string; readonly code: number } {
  const known =
    error instanceof ConfigError ||
    error instanceof UsageError ||
    error instanceof CliError ||
    error instanceof MigrationError ||
    error instanceof NotMigratedError ||
    error instanceof DataFolderError;
  // Drivers throw things that are not Errors too (PGlite's ErrnoError): show what they hold.
  const message =
    error instanceof Error
      ? error.message
      : inspect(error, { compact: true, breakLength: Number.POSITIVE_INFINITY });
  return { line: known ? message : `Failed: ${message}`, code: error instanceof UsageError ? 2 : 1 };
}

async function main(): Promise<void> {
  try {
    loadDotEnv();
    const code = await runCli(
      process.argv.slice(2),
      () => cliConfig(process.env),
      (line) => process.stdout.write(`${line}\n`),
    );
    process.exit(code);
  } catch (error) {
    const { line, code } = failure(error);
    process.stderr.write(`${line}\n`);
    process.exit(code);
  }
}

if (import.meta.main) await main();
