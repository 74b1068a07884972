import { randomBytes, randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Config } from './config.ts';
import type { PasswordHasher } from './contexts/accounts/domain/password.ts';
import { accounts } from './contexts/accounts/index.ts';
import { catalog } from './contexts/catalog/index.ts';
import { projects } from './contexts/projects/index.ts';
import { MessageBus } from './shared/application/message-bus.ts';
import { type Clock, systemClock } from './shared/domain/clock.ts';
import type { DomainTools } from './shared/domain/domain-tools.ts';
import { registerApiDocs } from './shared/http/api-docs.ts';
import { authGuard } from './shared/http/auth-guard.ts';
import { healthRoutes } from './shared/http/health-routes.ts';
import { registerProblemHandlers, sharedErrorStatuses } from './shared/http/problem-details.ts';
import { registerRequestContext, requestLogger } from './shared/http/request-context.ts';
import { registerValidators } from './shared/http/validation.ts';
import type { BoundedContext } from './shared/infrastructure/bounded-context.ts';
import { type Database, openDatabase } from './shared/infrastructure/database.ts';
import { JwtAccessTokens } from './shared/infrastructure/jwt-access-tokens.ts';
import { hasPendingMigrations, migrateToLatest } from './shared/infrastructure/migrator.ts';
import { Outbox } from './shared/infrastructure/outbox.ts';
import { LeasedIdGenerator } from './shared/infrastructure/worker-lease.ts';

/** Every bounded context of the monolith, in the order their routes and migrations are registered. */
export const contexts: readonly BoundedContext[] = [accounts as BoundedContext, catalog, projects];

/** Every migration folder: the shared schema first, then one per context. */
export const migrationFolders: readonly URL[] = [
  new URL('./shared/infrastructure/migrations/', import.meta.url),
  ...contexts.map((context) => context.migrations),
];

/** Adapters a test may replace. */
export interface AppOverrides {
  /** An already opened PGlite (tests load a migrated dump into one). */
  readonly pglite?: PGlite;
  readonly clock?: Clock;
  readonly hasher?: PasswordHasher;
  /** Where log lines go (tests capture them); default stdout. */
  readonly logStream?: { write(line: string): void };
}

export interface App {
  readonly http: FastifyInstance;
  readonly database: Database<unknown>;
  readonly tools: DomainTools;
  readonly bus: MessageBus;
  readonly outbox: Outbox;
  readonly accessTokens: JwtAccessTokens;
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
    bodyLimit: config.bodyLimitBytes,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const echo = config.sqlEcho
    ? (event: { sql: string; durationMs: number; error?: unknown }) =>
        (requestLogger.getStore() ?? http.log).info(
          { sql: event.sql, ms: event.durationMs, err: event.error },
          'sql',
        )
    : undefined;

  const database = await openDatabase<unknown>(config.database, {
    poolSize: config.databasePoolSize,
    ...(echo ? { echo } : {}),
    ...(overrides.pglite ? { pglite: overrides.pglite } : {}),
  });
  const readDatabase = config.readDatabase
    ? await openDatabase<unknown>(config.readDatabase, {
        poolSize: config.databasePoolSize,
        ...(echo ? { echo } : {}),
      })
    : undefined;
  let ids: LeasedIdGenerator | undefined;
  try {
    if (config.autoMigrate) {
      for (const line of await migrateToLatest(database.db, migrationFolders)) http.log.info(line);
    } else if (await hasPendingMigrations(database.db, migrationFolders)) {
      throw new NotMigratedError();
    }
    const clock = overrides.clock ?? systemClock;
    ids = await LeasedIdGenerator.start(database.db, clock, {
      onLost: (worker) => http.log.error({ worker }, 'worker id lease was lost; leased a new one'),
    });
    const tools: DomainTools = { clock, ids };
    const bus = new MessageBus();
    const outbox = new Outbox();
    const accessTokens = new JwtAccessTokens({
      secret: config.jwtSecret ?? randomBytes(32).toString('base64url'),
      ttlSeconds: config.accessTokenTtlSeconds,
      issuer: 'bounded',
      audience: 'bounded-api',
      clock,
    });
    const wiring = {
      db: database.db,
      readDb: (readDatabase ?? database).db,
      outbox,
      tools,
      bus,
      logger: http.log,
      accessTokens,
      auth: authGuard(accessTokens),
    };
    // Each context gets its own options; keep this list in step with `contexts` above.
    const started = [
      accounts.start(wiring, overrides.hasher ? { hasher: overrides.hasher } : {}),
      catalog.start(wiring, {}),
      projects.start(wiring, {}),
    ];
    bus.assertHandles(contexts.flatMap((context) => context.commandTypes));

    registerRequestContext(http);
    registerValidators(http);
    registerProblemHandlers(
      http,
      Object.assign({}, sharedErrorStatuses, ...contexts.map((c) => c.errorStatuses)),
    );
    // Bodies are JSON only: without this, text/plain bodies would reach validation instead of a 415.
    http.removeContentTypeParser(['text/plain']);
    await http.register(cors, {
      origin: config.cors.origins === '*' ? '*' : [...config.cors.origins],
      credentials: config.cors.origins === '*' ? false : config.cors.allowCredentials,
      methods: [...config.cors.allowMethods],
      ...(config.cors.allowHeaders === '*' ? {} : { allowedHeaders: [...config.cors.allowHeaders] }),
      exposedHeaders: ['location', 'etag', 'retry-after', 'x-request-id'],
    });
    await registerApiDocs(http, {
      title: 'Bounded API',
      version: '1.0.0',
      description: 'A Domain-Driven Design modular monolith: accounts, catalog and projects.',
      tags: [{ name: 'health', description: 'Liveness and readiness' }, ...contexts.flatMap((c) => c.tags)],
      securitySchemes: {
        OAuth2PasswordBearer: {
          type: 'oauth2',
          flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } },
        },
      },
    });
    http.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
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
    http.addHook('onClose', async () => {
      await leased
        .stop()
        .catch((error: unknown) => http.log.warn({ err: error }, 'could not release the worker id'));
      await readDatabase?.close();
      await database.close();
    });
    await http.ready();
    return {
      http,
      database,
      tools,
      bus,
      outbox,
      accessTokens,
      close: () => http.close(),
    };
  } catch (error) {
    await ids?.stop().catch(() => undefined);
    await readDatabase?.close();
    await database.close();
    throw error;
  }
}

/** pino JSON lines; pretty-printed when a person watches a terminal. */
function loggerOptions(config: Config, stream: AppOverrides['logStream']) {
  const pretty = stream === undefined && process.stdout.isTTY === true && config.nodeEnv !== 'production';
  return {
    ...(stream ? { stream } : {}),
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
