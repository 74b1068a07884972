import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/**
 * The logger of the request being served, for code below the HTTP layer that logs on its behalf
 * (the SQL echo), so that those lines carry the request id too. Logging only: data such as the
 * transaction is always passed explicitly.
 */
export const requestLogger = new AsyncLocalStorage<FastifyBaseLogger>();

export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    requestLogger.run(request.log, done);
  });
}
