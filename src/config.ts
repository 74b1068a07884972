import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  type DatabaseTarget,
  DEFAULT_CONNECT_TIMEOUT_MS,
  parseDatabaseUrl,
} from './shared/infrastructure/database.ts';

/**
 * Every setting of the service, read from the environment once at start-up (and from `.env`
 * when present, see `loadDotEnv`). A bad value stops start-up with one line naming the variable
 * and what it allows. `.env.example` documents each one.
 */
export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseTarget;
  readonly databaseUrl: string;
  readonly readDatabase: DatabaseTarget | undefined;
  readonly databasePoolSize: number;
  /** Milliseconds a connection to the server may take to open, or a busy pool to free one. */
  readonly databaseConnectTimeoutMs: number;
  /** Hot queries as named prepared statements on the server (off behind a transaction-mode pooler). */
  readonly databasePreparedStatements: boolean;
  /** The server stops a statement running longer (statement_timeout; 0: never). Migrations are exempt. */
  readonly databaseStatementTimeoutMs: number;
  /** Shared pipelined connections for key lookups outside transactions, and as many for searches (0: none). */
  readonly databasePipelineConnections: number;
  readonly sqlEcho: boolean;
  readonly autoMigrate: boolean;
  readonly bodyLimitBytes: number;
  readonly cors: {
    readonly origins: '*' | readonly string[];
    readonly allowCredentials: boolean;
    readonly allowMethods: readonly string[];
    readonly allowHeaders: '*' | readonly string[];
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly workers: number;
  /** Password hashing threads of a process, one hash each at a time (the others wait); default: CPUs per worker. */
  readonly passwordHashConcurrency: number;
  /** Given, or undefined outside production (the app then makes one for development). */
  readonly jwtSecret: string | undefined;
  /** When set, `GET /metrics` wants `Authorization: Bearer <it>` (METRICS_TOKEN); else it is open. */
  readonly metricsToken: string | undefined;
  /** Which proxies' X-Forwarded-For to believe for the client address (rate limits per IP need it behind a load balancer). */
  readonly trustProxy: boolean | number | readonly string[];
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly firstSuperuser: { readonly email: string; readonly password: string } | undefined;
  readonly rateLimit: {
    readonly store: 'memory' | 'database';
    readonly tokenPerAccount: number;
    readonly tokenPerAccountWindowSeconds: number;
    readonly tokenPerIp: number;
    readonly tokenPerIpWindowSeconds: number;
    readonly recoveryPerEmail: number;
    readonly recoveryPerEmailWindowSeconds: number;
    readonly recoveryPerIp: number;
    readonly recoveryPerIpWindowSeconds: number;
  };
  readonly smtpUrl: string | undefined;
  /** The From header of every mail (MAIL_FROM). */
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly outbox: {
    readonly relay: boolean;
    readonly maxAttempts: number;
    readonly pollIntervalMs: number;
    readonly retentionHours: number;
    /** Retry backoff: base · 2^(attempt-1), capped, with jitter (see retry-backoff.ts). */
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
  };
}

export class ConfigError extends Error {
  /** With `secret`, the value is not repeated in the message (it would end up in logs). */
  constructor(variable: string, allowed: string, value: string, options: { secret?: boolean } = {}) {
    super(
      options.secret
        ? `Invalid ${variable} (value hidden): ${allowed}`
        : `Invalid ${variable}=${JSON.stringify(value)}: ${allowed}`,
    );
  }
}

const JWT_SECRET_MIN_BYTES = 32;
/** Words found in the example secrets of tutorials and templates; a secret containing one was copied, not made. */
const PLACEHOLDER_WORDS = ['changeme', 'changethis', 'yoursecret', 'secretkey', 'placeholder', 'example'];
const PLACEHOLDERS = ['secret', 'password', 'jwtsecret', 'supersecret', 'default', 'test', 'development'];

/**
 * A bearer token for `/metrics`, sent as is in a header: 16 to 256 printable ASCII characters
 * without spaces, and not a few repeated ones (as JWT_SECRET).
 */
function checkMetricsToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (!/^[\x21-\x7e]{16,256}$/.test(token) || new Set(token).size < 8)
    throw new ConfigError(
      'METRICS_TOKEN',
      '16 to 256 printable ASCII characters, no spaces, at least 8 different ones',
      token,
      { secret: true },
    );
  return token;
}

/**
 * A JWT_SECRET signs every access token: one that is short, a placeholder or made of a few
 * repeated characters can be guessed offline from a single token.
 */
function checkJwtSecret(secret: string | undefined, nodeEnv: Config['nodeEnv']): string | undefined {
  const advice = `at least ${JWT_SECRET_MIN_BYTES} random bytes, e.g. the output of: openssl rand -base64 48`;
  if (secret === undefined) {
    if (nodeEnv === 'production')
      throw new ConfigError('JWT_SECRET', `required when NODE_ENV=production: ${advice}`, '');
    return undefined;
  }
  const normalised = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
  const placeholder =
    PLACEHOLDERS.includes(normalised) || PLACEHOLDER_WORDS.some((word) => normalised.includes(word));
  if (Buffer.byteLength(secret) < JWT_SECRET_MIN_BYTES || placeholder || new Set(secret).size < 8) {
    throw new ConfigError('JWT_SECRET', `a placeholder, too short or too repetitive; use ${advice}`, secret, {
      secret: true,
    });
  }
  return secret;
}

/** TRUST_PROXY: whom to believe about the client address (X-Forwarded-For), as Fastify's `trustProxy` takes it. */
function trustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || ['false', '0', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (/^[1-9]\d?$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const address = /^([0-9a-f.:]*[.:][0-9a-f.:]*(\/\d{1,3})?|loopback|linklocal|uniquelocal)$/i;
  if (entries.every((entry) => address.test(entry))) return entries;
  throw new ConfigError(
    'TRUST_PROXY',
    'false, true, the number of proxy hops, or a comma-separated list of proxy addresses, CIDRs or loopback',
    value,
  );
}

type Env = Readonly<Record<string, string | undefined>>;

function reader(env: Env) {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(name, `an integer from ${min} to ${max}`, value);
    }
    return parsed;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const value = raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(name, 'true or false', env[name] ?? '');
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value))
      throw new ConfigError(name, `one of ${allowed.join(', ')}`, value);
    return value as T;
  };
  const list = (name: string, fallback: string): string[] =>
    (raw(name) ?? fallback)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const database = (name: string, value: string): DatabaseTarget => {
    const target = parseDatabaseUrl(value);
    if (target === undefined) {
      throw new ConfigError(
        name,
        'pglite://<folder>, memory:// or postgres://user:password@host:port/database',
        // The line ends up in logs: whatever precedes an @ may be a password.
        value.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/i, '$1***@'),
      );
    }
    return target;
  };
  /** Durations: plain seconds, or a number with s, m, h or d. */
  const seconds = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const match = /^(\d+)([smhd]?)$/.exec(value);
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match?.[2] ?? ''] ?? 1;
    const parsed = match === null ? Number.NaN : Number(match[1]) * unit;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(name, `a duration from ${min}s to ${max}s (e.g. 900, 15m, 30d)`, value);
    }
    return parsed;
  };
  return { raw, integer, boolean, oneOf, list, database, seconds };
}

export function loadConfig(env: Env = process.env): Config {
  const read = reader(env);
  const nodeEnv = read.oneOf('NODE_ENV', ['development', 'production', 'test'], 'development');
  const databaseUrl = read.raw('DATABASE_URL') ?? 'pglite://./data';
  const readDatabaseUrl = read.raw('READ_DATABASE_URL');
  const origins = read.list('CORS_ORIGINS', '*');
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        'a comma-separated list of origins like https://app.example.com, or *',
        origin,
      );
    }
  }
  const allowHeaders = read.list('CORS_ALLOW_HEADERS', '*');
  const superuserEmail = read.raw('FIRST_SUPERUSER_EMAIL');
  const superuserPassword = read.raw('FIRST_SUPERUSER_PASSWORD');
  if ((superuserEmail === undefined) !== (superuserPassword === undefined)) {
    const missing = superuserEmail === undefined ? 'FIRST_SUPERUSER_EMAIL' : 'FIRST_SUPERUSER_PASSWORD';
    throw new ConfigError(
      missing,
      'set both FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD, or neither',
      '',
    );
  }
  const smtpUrl = read.raw('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/./.test(smtpUrl)) {
    throw new ConfigError('SMTP_URL', 'smtp://user:password@host:port or smtps://…', smtpUrl);
  }
  const mailFrom = read.raw('MAIL_FROM') ?? 'Bounded <no-reply@localhost>';
  if (!/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(mailFrom)) {
    throw new ConfigError('MAIL_FROM', 'an address, or a name and <address>', mailFrom);
  }
  const workers = read.integer('WORKERS', 1, 1, 64);
  const port = read.integer('PORT', 8000, 0, 65535);
  const host = read.raw('HOST') ?? '127.0.0.1';
  const publicUrl = read.raw('PUBLIC_URL') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl))
    throw new ConfigError('PUBLIC_URL', 'an http(s) URL', publicUrl);

  return {
    nodeEnv,
    port,
    host,
    databaseUrl,
    database: read.database('DATABASE_URL', databaseUrl),
    readDatabase:
      readDatabaseUrl === undefined ? undefined : read.database('READ_DATABASE_URL', readDatabaseUrl),
    databasePoolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseConnectTimeoutMs: read.integer(
      'DATABASE_CONNECT_TIMEOUT_MS',
      DEFAULT_CONNECT_TIMEOUT_MS,
      100,
      120_000,
    ),
    databaseStatementTimeoutMs: read.integer('DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
    databasePreparedStatements: read.boolean('DATABASE_PREPARED_STATEMENTS', true),
    databasePipelineConnections: read.integer('DATABASE_PIPELINE_CONNECTIONS', 2, 0, 64),
    sqlEcho: read.boolean('SQL_ECHO', false),
    autoMigrate: read.boolean('AUTO_MIGRATE', true),
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    cors: {
      origins: origins.includes('*') ? '*' : origins,
      allowCredentials: read.boolean('CORS_ALLOW_CREDENTIALS', true),
      allowMethods: read
        .list('CORS_ALLOW_METHODS', 'GET,POST,PUT,PATCH,DELETE,OPTIONS')
        .map((m) => m.toUpperCase()),
      allowHeaders: allowHeaders.includes('*') ? '*' : allowHeaders,
    },
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    workers,
    // Each is a thread of its own (an isolate, about 16 MB) holding 19 MiB while it hashes.
    passwordHashConcurrency: read.integer(
      'PASSWORD_HASH_CONCURRENCY',
      Math.max(1, Math.floor(availableParallelism() / workers)),
      1,
      64,
    ),
    jwtSecret: checkJwtSecret(read.raw('JWT_SECRET'), nodeEnv),
    metricsToken: checkMetricsToken(read.raw('METRICS_TOKEN')),
    trustProxy: trustProxy(read.raw('TRUST_PROXY')),
    accessTokenTtlSeconds: read.seconds('ACCESS_TOKEN_TTL', 900, 60, 86_400),
    refreshTokenTtlSeconds: read.seconds('REFRESH_TOKEN_TTL', 30 * 86_400, 3600, 365 * 86_400),
    firstSuperuser:
      superuserEmail === undefined || superuserPassword === undefined
        ? undefined
        : { email: superuserEmail, password: superuserPassword },
    rateLimit: {
      store: read.oneOf('RATE_LIMIT_STORE', ['memory', 'database'], 'memory'),
      tokenPerAccount: read.integer('RATE_LIMIT_TOKEN_PER_ACCOUNT', 10, 1, 1_000_000),
      tokenPerAccountWindowSeconds: read.seconds('RATE_LIMIT_TOKEN_PER_ACCOUNT_WINDOW', 900, 1, 86_400),
      tokenPerIp: read.integer('RATE_LIMIT_TOKEN_PER_IP', 100, 1, 1_000_000),
      tokenPerIpWindowSeconds: read.seconds('RATE_LIMIT_TOKEN_PER_IP_WINDOW', 60, 1, 86_400),
      recoveryPerEmail: read.integer('RATE_LIMIT_RECOVERY_PER_EMAIL', 5, 1, 1_000_000),
      recoveryPerEmailWindowSeconds: read.seconds('RATE_LIMIT_RECOVERY_PER_EMAIL_WINDOW', 3600, 1, 86_400),
      recoveryPerIp: read.integer('RATE_LIMIT_RECOVERY_PER_IP', 30, 1, 1_000_000),
      recoveryPerIpWindowSeconds: read.seconds('RATE_LIMIT_RECOVERY_PER_IP_WINDOW', 60, 1, 86_400),
    },
    smtpUrl,
    mailFrom,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    outbox: {
      relay: read.boolean('OUTBOX_RELAY', true),
      maxAttempts: read.integer('OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
      pollIntervalMs: read.integer('OUTBOX_POLL_INTERVAL_MS', 1000, 50, 60_000),
      retentionHours: read.integer('OUTBOX_RETENTION_HOURS', 168, 1, 87_600),
      backoffBaseMs: read.integer('OUTBOX_BACKOFF_BASE_MS', 1_000, 0, 3_600_000),
      backoffMaxMs: read.integer('OUTBOX_BACKOFF_MAX_MS', 3_600_000, 0, 86_400_000),
    },
  };
}

/** Reads `.env` from the working directory when there is one; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
