import { randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { type Config, ConfigError } from './config.ts';
import { InvalidEmailError, WeakPasswordError } from './contexts/accounts/domain/errors.ts';
import type { PasswordHasher } from './contexts/accounts/domain/password.ts';
import { accounts } from './contexts/accounts/index.ts';
import { catalog } from './contexts/catalog/index.ts';
import { projects } from './contexts/projects/index.ts';
import type { Mailer } from './shared/application/mailer.ts';
import { MessageBus } from './shared/application/message-bus.ts';
import { RateLimiter, type RateLimitStore } from './shared/application/rate-limiter.ts';
import { type Clock, systemClock } from './shared/domain/clock.ts';
import type { DomainTools } from './shared/domain/domain-tools.ts';
import { registerApiDocs } from './shared/http/api-docs.ts';
import { authGuard } from './shared/http/auth-guard.ts';
import { registerCors, routablePreflightUrl } from './shared/http/cors.ts';
import { healthRoutes } from './shared/http/health-routes.ts';
import { registerMetrics } from './shared/http/metrics-routes.ts';
import {
  frameworkErrors,
  registerDrainingAnswer,
  registerProblemHandlers,
  sharedErrorStatuses,
} from './shared/http/problem-details.ts';
import { registerRequestContext, requestLogger } from './shared/http/request-context.ts';
import { AccessLog } from './shared/http/request-logging.ts';
import { registerResponseHeaders } from './shared/http/response-headers.ts';
import { registerSchemaCompilers } from './shared/http/validation.ts';
import type { BoundedContext } from './shared/infrastructure/bounded-context.ts';
import { type Database, databaseOutage, openDatabase } from './shared/infrastructure/database.ts';
import { DatabaseRateLimitStore, RateLimitSweep } from './shared/infrastructure/database-rate-limit-store.ts';
import { developmentJwtSecret } from './shared/infrastructure/development-jwt-secret.ts';
import { Housekeeping } from './shared/infrastructure/housekeeping.ts';
import { JwtAccessTokens } from './shared/infrastructure/jwt-access-tokens.ts';
import { standardOutput } from './shared/infrastructure/log-destination.ts';
import { LoggingMailer } from './shared/infrastructure/logging-mailer.ts';
import { MemoryRateLimitStore } from './shared/infrastructure/memory-rate-limit-store.ts';
import { createMetricsRegistry } from './shared/infrastructure/metrics.ts';
import { hasPendingMigrations, migrateToLatest } from './shared/infrastructure/migrator.ts';
import { Outbox } from './shared/infrastructure/outbox.ts';
import { OutboxMetrics } from './shared/infrastructure/outbox-metrics.ts';
import { OutboxRelay } from './shared/infrastructure/outbox-relay.ts';
import { OutboxRetention } from './shared/infrastructure/outbox-retention.ts';
import { PgOutboxSignal } from './shared/infrastructure/outbox-signal.ts';
import type { SmtpMailer } from './shared/infrastructure/smtp-mailer.ts';
import { UnitOfWorkMetrics } from './shared/infrastructure/unit-of-work-metrics.ts';
import { LeasedIdGenerator } from './shared/infrastructure/worker-lease.ts';

/** Every bounded context of the monolith, in the order their routes and migrations are registered. */
export const contexts: readonly BoundedContext[] = [accounts as BoundedContext, catalog, projects];

/** Each owner of migrations ("shared", then each context by name) and its folder, in order. */
export const migrationOwners: ReadonlyMap<string, URL> = new Map([
  ['shared', new URL('./shared/infrastructure/migrations/', import.meta.url)],
  ...contexts.map((context) => [context.name, context.migrations] as const),
]);

/** Every migration folder: the shared schema first, then one per context. */
export const migrationFolders: readonly URL[] = [...migrationOwners.values()];

/** Adapters a test may replace. */
export interface AppOverrides {
  /** An already opened PGlite (tests load a migrated dump into one). */
  readonly pglite?: PGlite;
  readonly clock?: Clock;
  readonly hasher?: PasswordHasher;
  /** Where log lines go (tests capture them); default stdout. */
  readonly logStream?: { write(line: string): void };
  /** Replaces the SMTP or logging mailer. */
  readonly mailer?: Mailer;
}

export interface App {
  readonly http: FastifyInstance;
  readonly database: Database<unknown>;
  readonly tools: DomainTools;
  readonly bus: MessageBus;
  readonly outbox: Outbox;
  /**
   * Delivers the outbox to subscribers. Running in the background when OUTBOX_RELAY is true;
   * tests call `drain()` to run every due delivery now.
   */
  readonly relay: OutboxRelay;
  readonly accessTokens: JwtAccessTokens;
  /** Deletes rows past their retention and mends read-model copies: hourly when OUTBOX_RELAY is true; tests call `runNow()`. */
  readonly housekeeping: Housekeeping;
  close(): Promise<void>;
}

export class NotMigratedError extends Error {
  constructor() {
    super('The database has pending migrations; run `npm run cli -- migrate up` or set AUTO_MIGRATE=true');
  }
}

/**
 * The composition root: opens the database, makes the adapters, starts every context with them
 * and puts the HTTP server together. Nothing else in the code base wires concrete classes.
 */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const http = Fastify({
    logger: loggerOptions(config, overrides.logStream),
    logController: new AccessLog(),
    bodyLimit: config.bodyLimitBytes,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    trustProxy: trustProxy(config.trustProxy),
    // A request arriving while the server drains is answered by registerDrainingAnswer instead.
    return503OnClosing: false,
    frameworkErrors: frameworkErrors(config.cors),
    rewriteUrl: routablePreflightUrl,
  });
  const echo = config.sqlEcho
    ? (event: { sql: string; durationMs: number; error?: unknown }) =>
        (requestLogger.getStore() ?? http.log).info(
          { sql: event.sql, ms: event.durationMs, err: event.error },
          'sql',
        )
    : undefined;

  const onIdleConnectionError = (error: Error) =>
    http.log.warn({ err: error }, 'a database connection failed; a new one is made when needed');
  const database = await openDatabase<unknown>(config.database, {
    poolSize: config.databasePoolSize,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    preparedStatements: config.databasePreparedStatements,
    pipelineConnections: config.databasePipelineConnections,
    onIdleConnectionError,
    ...(echo ? { echo } : {}),
    ...(overrides.pglite ? { pglite: overrides.pglite } : {}),
  });
  const readDatabase = config.readDatabase
    ? await openDatabase<unknown>(config.readDatabase, {
        poolSize: config.databasePoolSize,
        connectTimeoutMs: config.databaseConnectTimeoutMs,
        statementTimeoutMs: config.databaseStatementTimeoutMs,
        preparedStatements: config.databasePreparedStatements,
        pipelineConnections: config.databasePipelineConnections,
        onIdleConnectionError,
        ...(echo ? { echo } : {}),
      })
    : undefined;
  let ids: LeasedIdGenerator | undefined;
  let smtp: SmtpMailer | undefined;
  try {
    if (config.autoMigrate) {
      // Without the statement timeout: a migration's index build or backfill may rightly take longer.
      const applied = await database.unbounded((db) => migrateToLatest(db, migrationFolders));
      for (const line of applied) http.log.info(line);
    } else if (await hasPendingMigrations(database.db, migrationFolders)) {
      throw new NotMigratedError();
    }
    const clock = overrides.clock ?? systemClock;
    ids = await LeasedIdGenerator.start(database.db, clock, {
      onLost: (worker) => http.log.error({ worker }, 'worker id lease was lost; leased a new one'),
    });
    const tools: DomainTools = { clock, ids };
    const bus = new MessageBus();
    // Each event is stored with one delivery per subscriber the bus knows when it is committed.
    const outbox = new Outbox(bus);
    // nodemailer is loaded only when mail is really sent.
    smtp =
      config.smtpUrl === undefined
        ? undefined
        : new (await import('./shared/infrastructure/smtp-mailer.ts')).SmtpMailer({
            url: config.smtpUrl,
            from: config.mailFrom,
          });
    const production = config.nodeEnv === 'production';
    const mailer = overrides.mailer ?? smtp ?? new LoggingMailer(http.log, { withBody: !production });
    if (mailer instanceof LoggingMailer && production) {
      http.log.warn(
        'SMTP_URL is unset: no mail is sent, and the log gets only their subjects and masked recipients',
      );
    }
    const accessTokens = new JwtAccessTokens({
      secret: config.jwtSecret ?? (await developmentSecret(config, http.log)),
      ttlSeconds: config.accessTokenTtlSeconds,
      issuer: 'bounded',
      audience: 'bounded-api',
      clock,
    });
    const metrics = createMetricsRegistry();
    const unitOfWorkMetrics = new UnitOfWorkMetrics(metrics);
    const wiring = {
      db: database.db,
      readDb: (readDatabase ?? database).db,
      outbox,
      tools,
      bus,
      logger: http.log,
      accessTokens,
      auth: authGuard(accessTokens),
      mailer,
      publicUrl: config.publicUrl,
      unitOfWorkObserver: (context: string) => unitOfWorkMetrics.of(context),
    };
    if (config.rateLimit.store === 'memory' && config.workers > 1) {
      http.log.warn('RATE_LIMIT_STORE=memory with WORKERS > 1: each worker counts on its own; use database');
    }
    const sharedRateLimits = config.rateLimit.store === 'database';
    const rateLimitStore: RateLimitStore = sharedRateLimits
      ? new DatabaseRateLimitStore(database.db)
      : new MemoryRateLimitStore();
    const limits = config.rateLimit;
    // Each context gets its own options; keep this list in step with `contexts` above.
    const started = [
      accounts.start(wiring, {
        settings: { refreshTokenLifetimeSeconds: config.refreshTokenTtlSeconds, publicUrl: config.publicUrl },
        limiter: new RateLimiter(rateLimitStore, clock),
        limits: {
          tokenPerAccount: rule(
            'auth.token.account',
            limits.tokenPerAccount,
            limits.tokenPerAccountWindowSeconds,
          ),
          tokenPerIp: rule('auth.token.ip', limits.tokenPerIp, limits.tokenPerIpWindowSeconds),
          // Guessing a password through a password change is limited like guessing it at sign-in.
          passwordChangePerMember: rule(
            'members.password_change',
            limits.tokenPerAccount,
            limits.tokenPerAccountWindowSeconds,
          ),
          recoveryPerEmail: rule(
            'auth.recovery.email',
            limits.recoveryPerEmail,
            limits.recoveryPerEmailWindowSeconds,
          ),
          recoveryPerIp: rule('auth.recovery.ip', limits.recoveryPerIp, limits.recoveryPerIpWindowSeconds),
        },
        hashConcurrency: config.passwordHashConcurrency,
        ...(overrides.hasher ? { hasher: overrides.hasher } : {}),
      }),
      catalog.start(wiring, {}),
      projects.start(wiring, {}),
    ];
    bus.assertHandles(contexts.flatMap((context) => context.commandTypes));
    for (const context of started) bus.subscribe(context.subscriptions ?? []);
    await Promise.all(started.map((context) => context.ready?.()));

    const relay = new OutboxRelay({
      db: database.db,
      target: bus,
      logger: http.log,
      maxAttempts: config.outbox.maxAttempts,
      pollIntervalMs: config.outbox.pollIntervalMs,
      backoff: { baseMs: config.outbox.backoffBaseMs, maxMs: config.outbox.backoffMaxMs },
      concurrency: database.concurrent ? 4 : 1,
      observer: new OutboxMetrics(metrics, { db: database.db, subscribers: () => bus.subscribers }),
    });
    const housekeeping = new Housekeeping(
      [
        new OutboxRetention(config.outbox.retentionHours),
        ...(sharedRateLimits ? [new RateLimitSweep(clock)] : []),
        ...started.flatMap((context) => context.housekeeping ?? []),
      ],
      http.log,
      // Without the statement timeout (a pass over a table grows with it), but a lock wait still
      // ends: at twice a request's limit, so that a stuck lock does not also hold the rows the
      // task has locked so far, and the requests waiting for them, for good.
      {
        unbounded: (work) =>
          database.unbounded(work, { lockTimeoutMs: 2 * config.databaseStatementTimeoutMs }),
      },
    );
    const signal = database.pool === undefined ? undefined : new PgOutboxSignal(database.pool, http.log);
    outbox.onCommitted((events) => {
      if (!outbox.hasSubscribers(events)) return;
      relay.wake();
      signal?.notify();
    });
    if (config.firstSuperuser) await ensureFirstSuperuser(bus, config.firstSuperuser, http.log);

    // Only the SQL echo reads the request's logger below the HTTP layer; nobody else pays for it.
    if (config.sqlEcho) registerRequestContext(http);
    registerMetrics(http, metrics, { token: config.metricsToken });
    registerSchemaCompilers(http, { checkSchemas: config.nodeEnv !== 'production' });
    registerProblemHandlers(
      http,
      Object.assign({}, sharedErrorStatuses, ...contexts.map((c) => c.errorStatuses)),
      { outage: databaseOutage },
    );
    // Bodies are JSON only: without this, text/plain bodies would reach validation instead of a 415.
    http.removeContentTypeParser(['text/plain']);
    registerResponseHeaders(http);
    await registerCors(http, config.cors);
    // After the response headers and CORS, so that a draining answer carries them; before every route's guards.
    registerDrainingAnswer(http);
    await registerApiDocs(http, {
      title: 'Bounded API',
      version: '1.0.0',
      description:
        'A Domain-Driven Design modular monolith: accounts, catalog and projects. Errors are ' +
        'application/problem+json. Besides the answers each operation lists, any of them may be ' +
        'answered 400 request.malformed or 414 request.uri_too_long (a URL the router cannot read), ' +
        '413 request.too_large (a body over BODY_LIMIT_BYTES), ' +
        '503 service.unavailable while the database cannot serve or the server shuts down ' +
        '(with Retry-After when repeating is safe), and 500 internal for a fault of ours (logged; ' +
        'the answer holds no internals).',
      tags: [{ name: 'health', description: 'Liveness and readiness' }, ...contexts.flatMap((c) => c.tags)],
      securitySchemes: {
        OAuth2PasswordBearer: {
          type: 'oauth2',
          flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } },
        },
      },
    });
    await http.register(
      async (api) => {
        await healthRoutes(api, {
          checks: {
            database: async () => {
              await sql`select 1`.execute(database.db);
              return true;
            },
            migrations: async () => !(await hasPendingMigrations(database.db, migrationFolders)),
          },
        });
        for (const context of started) await context.routes(api);
      },
      { prefix: '/api/v1' },
    );

    const leased = ids;
    const mailTransport = smtp;
    http.addHook('onClose', async () => {
      // The relay first: its deliveries need the database, and mail, until they finish.
      await relay.stop();
      await housekeeping.stop();
      await signal?.close();
      mailTransport?.close();
      await leased
        .stop()
        .catch((error: unknown) => http.log.warn({ err: error }, 'could not release the worker id'));
      await readDatabase?.close();
      await database.close();
    });
    await http.ready();
    if (config.outbox.relay) {
      relay.start();
      housekeeping.start();
      // In the background: until it listens, the relay polls; it never throws (it retries itself).
      void signal?.listen(() => relay.wake());
    }
    return {
      http,
      database,
      tools,
      bus,
      outbox,
      relay,
      accessTokens,
      housekeeping,
      close: () => http.close(),
    };
  } catch (error) {
    smtp?.close();
    await ids?.stop().catch(() => undefined);
    await readDatabase?.close();
    await database.close();
    throw error;
  }
}

/** Fastify's types take no hop count, its proxy-addr does: a count n trusts the n nearest hops. */
function trustProxy(setting: Config['trustProxy']) {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

function rule(name: string, limit: number, windowSeconds: number) {
  return { name, limit, windowSeconds };
}

/**
 * Without JWT_SECRET (refused in production by the config), tokens are signed with a development
 * secret kept beside the data (see development-jwt-secret.ts); tests get one per process, quietly.
 */
async function developmentSecret(config: Config, log: FastifyInstance['log']): Promise<string> {
  const persist = config.nodeEnv !== 'test';
  const { secret, file } = await developmentJwtSecret(config.database, { persist });
  if (persist) {
    log.warn(
      file === undefined
        ? 'JWT_SECRET is not set: tokens are signed with a secret made for this process; set JWT_SECRET in production'
        : `JWT_SECRET is not set: tokens are signed with a development secret kept in ${file}; set JWT_SECRET in production`,
    );
  }
  return secret;
}

/** FIRST_SUPERUSER_*: created at the first start, left alone at every later one (and by every other instance). */
async function ensureFirstSuperuser(
  bus: MessageBus,
  superuser: NonNullable<Config['firstSuperuser']>,
  log: FastifyInstance['log'],
): Promise<void> {
  try {
    const result = await bus.execute({ type: 'accounts.ensure_superuser', ...superuser });
    if (result.outcome === 'created') log.info({ email: result.member.email }, 'created the first superuser');
    if (result.outcome === 'taken_by_member') {
      log.warn(
        { email: result.member.email },
        'FIRST_SUPERUSER_EMAIL belongs to a member who is not a superuser; no superuser was created',
      );
    }
  } catch (error) {
    if (error instanceof WeakPasswordError)
      throw new ConfigError('FIRST_SUPERUSER_PASSWORD', error.message, '', { secret: true });
    if (error instanceof InvalidEmailError)
      throw new ConfigError('FIRST_SUPERUSER_EMAIL', 'an email address', superuser.email);
    throw error;
  }
}

/** pino JSON lines; pretty-printed when a person watches a terminal. */
function loggerOptions(config: Config, stream: AppOverrides['logStream']) {
  const pretty = stream === undefined && process.stdout.isTTY === true && config.nodeEnv !== 'production';
  return {
    ...(pretty ? {} : { stream: stream ?? standardOutput() }),
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
}
