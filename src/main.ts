import cluster from 'node:cluster';
import { enableCompileCache } from 'node:module';
import type { Config } from './config.ts';

// Node keeps the compiled code (and the TypeScript it stripped) of every module it loads in a
// cache directory (NODE_COMPILE_CACHE, else the system's temporary one), keyed by content: a
// restart skips most of that work. `npm start` turns it on before this file loads
// (src/compile-cache.js); this call covers a plain `node src/main.ts` and does nothing when it is
// already on. It only applies to modules loaded after it, hence the dynamic imports below.
enableCompileCache();
const { buildApp } = await import('./app.ts');
const { ConfigError, loadConfig, loadDotEnv } = await import('./config.ts');
const { outOfReach, unreachableLine } = await import('./shared/infrastructure/database.ts');

/**
 * The process entry: configuration → app → listen. With WORKERS > 1 (PostgreSQL only) the primary
 * forks that many workers sharing the port; each is a full instance with its own worker-id lease.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig();
    if (config.workers > 1 && config.database.kind !== 'postgres') {
      throw new ConfigError(
        'WORKERS',
        'more than 1 only with a PostgreSQL DATABASE_URL (PGlite is single-process)',
        String(config.workers),
      );
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  if (config.workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < config.workers; i += 1) cluster.fork();
    cluster.on('exit', (worker, code, signal) => {
      if (code !== 0 && signal === null)
        process.stderr.write(`worker ${worker.process.pid} exited with ${code}\n`);
    });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      });
    }
    return;
  }

  const startedAt = performance.now();
  const app = await buildApp(config).catch((error: unknown) => {
    if (!outOfReach(error)) throw error;
    throw new Error(unreachableLine(config.database, config.databaseConnectTimeoutMs, error));
  });
  await app.http.listen({ port: config.port, host: config.host });
  app.http.log.info(
    { ms: Math.round(performance.now() - startedAt), database: config.database.kind },
    `Bounded is ready on http://${config.host}:${config.port} (docs at /docs)`,
  );

  // Graceful shutdown: stop accepting, let in-flight requests finish, then close the database
  // (the onClose hooks). A second signal, or 10 s, ends it at once.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      app.http.log.info({ signal }, 'shutting down');
      setTimeout(() => process.exit(1), 10_000).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.http.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Bounded could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
