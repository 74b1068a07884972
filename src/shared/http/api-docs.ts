import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export interface ApiDocsOptions {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  /** Extra OpenAPI components (security schemes). */
  readonly securitySchemes?: Record<string, unknown>;
}

const REDOC_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bounded API - ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;padding:0}</style></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body>
</html>`;

/**
 * OpenAPI 3.1 at /openapi.json, built from the route schemas; Swagger UI at /docs and ReDoc at
 * /redoc, both served from our own node_modules (nothing from a CDN, no external fonts).
 */
export async function registerApiDocs(app: FastifyInstance, options: ApiDocsOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version, description: options.description },
      tags: options.tags.map((tag) => ({ ...tag })),
      components: { securitySchemes: (options.securitySchemes ?? {}) as never },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => (json.$id as string | undefined) ?? `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false, uiConfig: { deepLinking: true } });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
  let bundle: Buffer | undefined;
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html').send(REDOC_PAGE),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) => {
    bundle ??= await readFile(redocBundle);
    return reply.type('application/javascript').header('cache-control', 'public, max-age=86400').send(bundle);
  });
}
