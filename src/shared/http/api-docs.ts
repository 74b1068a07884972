import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyReply } from 'fastify';

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

const SWAGGER_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bounded API - Swagger UI</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png" sizes="32x32"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/static/swagger-ui-standalone-preset.js"></script>
<script src="/docs/static/swagger-initializer.js"></script></body>
</html>`;

/** In a file of its own, not inline: the docs CSP allows scripts from our origin only. */
const SWAGGER_INITIALIZER = `window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    oauth2RedirectUrl: window.location.origin + '/docs/static/oauth2-redirect.html',
  });
};
`;

/** The Swagger UI files the page uses, from the swagger-ui-dist package, by type. */
const SWAGGER_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'oauth2-redirect.html': 'text/html; charset=utf-8',
  'oauth2-redirect.js': 'application/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

/**
 * OpenAPI 3.1 at /openapi.json, built from the route schemas; Swagger UI at /docs and ReDoc at
 * /redoc, both served from our own node_modules (nothing from a CDN, no external fonts). The
 * Swagger UI page is ours, over the swagger-ui-dist files, each read on its first request: a
 * plugin for it loaded a static file server and a YAML parser at every start.
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
  const swaggerDist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const swaggerFiles = new Map(
    Object.entries(SWAGGER_FILES).map(([file, type]) => [file, packageFile(join(swaggerDist, file), type)]),
  );
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs/'));
  app.get('/docs/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(SWAGGER_PAGE),
  );
  app.get('/docs/static/swagger-initializer.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send(SWAGGER_INITIALIZER),
  );
  app.get<{ Params: { file: string } }>(
    '/docs/static/:file',
    { schema: { hide: true } },
    async (request, reply) => {
      const serve = swaggerFiles.get(request.params.file);
      return serve === undefined ? reply.callNotFound() : serve(reply);
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const redocBundle = packageFile(
    createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'),
    'application/javascript; charset=utf-8',
  );
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(REDOC_PAGE),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) =>
    redocBundle(reply),
  );
}

/** Sends a file from an installed package, read on its first request and kept; browsers keep it a day. */
function packageFile(path: string, type: string): (reply: FastifyReply) => Promise<FastifyReply> {
  let content: Buffer | undefined;
  return async (reply) => {
    content ??= await readFile(path);
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(content);
  };
}
