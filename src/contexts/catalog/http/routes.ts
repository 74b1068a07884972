import type { FastifyInstance } from 'fastify';
import { authorRoutes } from './author-routes.ts';
import { bookRoutes } from './book-routes.ts';
import type { CatalogRouteDependencies } from './route-dependencies.ts';

/** Every catalog route: reads are public, writes need a signed-in member. */
export async function catalogRoutes(app: FastifyInstance, deps: CatalogRouteDependencies): Promise<void> {
  await bookRoutes(app, deps);
  await authorRoutes(app, deps);
}
