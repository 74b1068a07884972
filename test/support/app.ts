import { type App, type AppOverrides, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { freshDatabase } from './database.ts';
import { FakePasswordHasher } from './fake-password-hasher.ts';

export interface TestAppOptions extends Omit<AppOverrides, 'pglite'> {
  /** Extra environment variables, as the process would read them. */
  readonly env?: Record<string, string>;
}

/**
 * The real composition root on a fresh database of its own, with a fake password hasher unless
 * one is given. Close it after the test (it drops its database).
 */
export async function testApp(options: TestAppOptions = {}): Promise<App> {
  const database = await freshDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    ...options.env,
  });
  const { env: _, ...overrides } = options;
  const app = await buildApp(config, {
    ...overrides,
    hasher: options.hasher ?? new FakePasswordHasher(),
    ...(database.pglite ? { pglite: database.pglite } : {}),
  }).catch(async (error: unknown) => {
    await database.dispose();
    throw error;
  });
  return {
    ...app,
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}
