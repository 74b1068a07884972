import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

/** The configuration is refused with a ConfigError of one line that matches `message` and hides `value`. */
function expectRefusedUnprinted(env: Record<string, string>, value: string, message: RegExp): void {
  let refusal: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(ConfigError);
  const text = (refusal as Error).message;
  expect(text).toMatch(message);
  expect(text).not.toContain(value);
  expect(text).not.toContain('\n');
}

describe('configuration', () => {
  it('has working defaults: embedded PGlite in ./data on 127.0.0.1:8000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: './data' },
      autoMigrate: true,
      sqlEcho: false,
      databasePreparedStatements: true,
      databasePipelineConnections: 2,
      databaseStatementTimeoutMs: 30_000,
      cors: { origins: '*' },
    });
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' }).databaseStatementTimeoutMs).toBe(0);
  });

  it('runs one Argon2id hash at once per CPU, shared among the workers, unless told', () => {
    const cpus = availableParallelism();
    expect(loadConfig({}).passwordHashConcurrency).toBe(cpus);
    expect(loadConfig({ WORKERS: '64' }).passwordHashConcurrency).toBe(Math.max(1, Math.floor(cpus / 64)));
    if (cpus >= 2) expect(loadConfig({ WORKERS: '2' }).passwordHashConcurrency).toBe(Math.floor(cpus / 2));
    expect(loadConfig({ PASSWORD_HASH_CONCURRENCY: '3' }).passwordHashConcurrency).toBe(3);
  });

  it.each([
    ['memory://', { kind: 'pglite', dataDir: undefined }],
    ['pglite:///var/lib/bounded', { kind: 'pglite', dataDir: '/var/lib/bounded' }],
    ['postgres://u:p@db:5432/bounded', { kind: 'postgres', url: 'postgres://u:p@db:5432/bounded' }],
    ['postgresql://db/bounded', { kind: 'postgres', url: 'postgresql://db/bounded' }],
  ])('reads DATABASE_URL=%s', (url, target) => {
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual(target);
  });

  it.each([
    ['PORT', '80a', /Invalid PORT="80a": an integer from 0 to 65535/],
    ['PORT', '70000', /PORT/],
    [
      'DATABASE_URL',
      'mysql://x',
      /Invalid DATABASE_URL="mysql:\/\/x": pglite:\/\/<folder>, memory:\/\/ or postgres/,
    ],
    // One pg could not read when connecting; what may be a password is not repeated.
    [
      'DATABASE_URL',
      'postgres://u:s3cr@t@db:port/x',
      /^Invalid DATABASE_URL="postgres:\/\/\*\*\*@db:port\/x": /,
    ],
    [
      'READ_DATABASE_URL',
      'postgresql://db:99999999/x',
      /^Invalid READ_DATABASE_URL="postgresql:\/\/db:99999999\/x"/,
    ],
    ['SQL_ECHO', 'maybe', /Invalid SQL_ECHO="maybe": true or false/],
    ['DATABASE_PREPARED_STATEMENTS', 'never', /Invalid DATABASE_PREPARED_STATEMENTS="never": true or false/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL.*one of fatal, error/],
    ['CORS_ORIGINS', 'example.com', /CORS_ORIGINS/],
    ['ACCESS_TOKEN_TTL', '10x', /ACCESS_TOKEN_TTL/],
    ['RATE_LIMIT_STORE', 'redis', /RATE_LIMIT_STORE.*memory, database/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE/],
    [
      'DATABASE_CONNECT_TIMEOUT_MS',
      '99',
      /Invalid DATABASE_CONNECT_TIMEOUT_MS="99": an integer from 100 to 120000/,
    ],
    ['DATABASE_CONNECT_TIMEOUT_MS', '5s', /DATABASE_CONNECT_TIMEOUT_MS/],
    [
      'DATABASE_STATEMENT_TIMEOUT_MS',
      '-1',
      /Invalid DATABASE_STATEMENT_TIMEOUT_MS="-1": an integer from 0 to 86400000/,
    ],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '30s', /DATABASE_STATEMENT_TIMEOUT_MS/],
    [
      'DATABASE_PIPELINE_CONNECTIONS',
      '65',
      /Invalid DATABASE_PIPELINE_CONNECTIONS="65": an integer from 0 to 64/,
    ],
    ['DATABASE_PIPELINE_CONNECTIONS', 'two', /DATABASE_PIPELINE_CONNECTIONS/],
    ['PASSWORD_HASH_CONCURRENCY', '0', /Invalid PASSWORD_HASH_CONCURRENCY="0": an integer from 1 to 64/],
    ['PASSWORD_HASH_CONCURRENCY', '65', /Invalid PASSWORD_HASH_CONCURRENCY="65": an integer from 1 to 64/],
    ['MAIL_FROM', 'Bounded <not an address>', /Invalid MAIL_FROM=.*an address, or a name and <address>/],
    ['OUTBOX_BACKOFF_BASE_MS', '-5', /OUTBOX_BACKOFF_BASE_MS/],
  ])('refuses %s=%s in one line naming the variable', (name, value, message) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reads booleans, lists and durations', () => {
    const config = loadConfig({
      SQL_ECHO: 'TRUE',
      AUTO_MIGRATE: '0',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      ACCESS_TOKEN_TTL: '15m',
      REFRESH_TOKEN_TTL: '7d',
    });
    expect(config.sqlEcho).toBe(true);
    expect(config.autoMigrate).toBe(false);
    expect(config.cors.origins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.refreshTokenTtlSeconds).toBe(7 * 86_400);
  });

  it("has DESIGN's default rate limits, each one configurable", () => {
    expect(loadConfig({}).rateLimit).toEqual({
      store: 'memory',
      tokenPerAccount: 10,
      tokenPerAccountWindowSeconds: 900,
      tokenPerIp: 100,
      tokenPerIpWindowSeconds: 60,
      recoveryPerEmail: 5,
      recoveryPerEmailWindowSeconds: 3600,
      recoveryPerIp: 30,
      recoveryPerIpWindowSeconds: 60,
    });
    expect(
      loadConfig({
        RATE_LIMIT_STORE: 'database',
        RATE_LIMIT_TOKEN_PER_ACCOUNT: '5',
        RATE_LIMIT_TOKEN_PER_ACCOUNT_WINDOW: '1h',
      }).rateLimit,
    ).toMatchObject({ store: 'database', tokenPerAccount: 5, tokenPerAccountWindowSeconds: 3600 });
  });

  it('wants both first-superuser variables or neither', () => {
    expect(() => loadConfig({ FIRST_SUPERUSER_EMAIL: 'root@example.com' })).toThrow(
      /FIRST_SUPERUSER_PASSWORD/,
    );
  });

  describe('METRICS_TOKEN', () => {
    it('is optional, and kept as given', () => {
      expect(loadConfig({}).metricsToken).toBeUndefined();
      expect(loadConfig({ METRICS_TOKEN: 'k3Yq-9vLp2Rz.7WmN' }).metricsToken).toBe('k3Yq-9vLp2Rz.7WmN');
      const longest = 'k3Yq-9vLp2Rz.7WmN'.repeat(16).slice(0, 256);
      expect(loadConfig({ METRICS_TOKEN: longest }).metricsToken).toBe(longest);
    });

    it.each([
      ['shorter than 16 characters', 'k3Yq-9vLp2Rz'],
      ['with a space', 'k3Yq 9vLp2Rz 7WmN4'],
      ['with a character outside printable ASCII', 'k3Yq-9vLp2Rz-7WmNé'],
      ['longer than 256 characters', 'k3Yq-9vLp2Rz.7WmN'.repeat(16)],
      ['a few repeated characters', 'abcabcabcabcabcabc'],
    ])('is refused when %s, in one line that does not print it', (_label, token) => {
      expectRefusedUnprinted(
        { METRICS_TOKEN: token },
        token,
        /^Invalid METRICS_TOKEN \(value hidden\): 16 to 256 printable ASCII/,
      );
    });
  });

  describe('JWT_SECRET', () => {
    const good = 'q7Vd9yK2mX4pL8sN1wR6tZ3bC5fH0jG-uE';

    it('is required when NODE_ENV=production, in one line naming it', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
        /^Invalid JWT_SECRET="": required when NODE_ENV=production: at least 32 random bytes/,
      );
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: good }).jwtSecret).toBe(good);
    });

    it('may be left out in development and tests (the app makes one)', () => {
      expect(loadConfig({}).jwtSecret).toBeUndefined();
      expect(loadConfig({ NODE_ENV: 'test' }).jwtSecret).toBeUndefined();
    });

    it.each([
      ['shorter than 32 bytes', 'q7Vd9yK2mX4pL8sN1wR6tZ3bC5f'],
      ['a bare placeholder', 'secret'],
      ['a long placeholder', 'your-secret-key-change-me-in-production-please'],
      ['the full-stack template placeholder', 'changethis'],
      ['a long "changeme"', 'CHANGEME_CHANGEME_CHANGEME_CHANGEME'],
      ['one repeated character', 'a'.repeat(64)],
      ['a few repeated characters', 'abcabcabcabcabcabcabcabcabcabcabcabc'],
    ])('is refused when %s, in every environment, without printing it', (_label, secret) => {
      for (const NODE_ENV of ['production', 'development']) {
        expectRefusedUnprinted(
          { NODE_ENV, JWT_SECRET: secret },
          secret,
          /^Invalid JWT_SECRET \(value hidden\): a placeholder, too short/,
        );
      }
    });

    it('counts bytes, not characters', () => {
      expect(loadConfig({ JWT_SECRET: 'ключ-подписи-длиной-больше-32' }).jwtSecret).toBeDefined();
    });
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
    ['loopback,::1', ['loopback', '::1']],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('refuses a TRUST_PROXY that is no address', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.internal' })).toThrow(
      /^Invalid TRUST_PROXY="proxy.internal"/,
    );
  });
});
