import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults: embedded PGlite in ./data on 127.0.0.1:8000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: './data' },
      autoMigrate: true,
      sqlEcho: false,
      cors: { origins: '*' },
    });
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
    ['SQL_ECHO', 'maybe', /Invalid SQL_ECHO="maybe": true or false/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL.*one of fatal, error/],
    ['CORS_ORIGINS', 'example.com', /CORS_ORIGINS/],
    ['ACCESS_TOKEN_TTL', '10x', /ACCESS_TOKEN_TTL/],
    ['RATE_LIMIT_STORE', 'redis', /RATE_LIMIT_STORE.*memory, database/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE/],
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

  it('wants both first-superuser variables or neither', () => {
    expect(() => loadConfig({ FIRST_SUPERUSER_EMAIL: 'root@example.com' })).toThrow(
      /FIRST_SUPERUSER_PASSWORD/,
    );
  });
});
