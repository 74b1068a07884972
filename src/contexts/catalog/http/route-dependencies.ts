import type { MessageBus } from '../../../shared/application/message-bus.ts';
import type { AuthGuard } from '../../../shared/http/auth-guard.ts';
import type { CatalogQueries } from '../application/queries.ts';

export interface CatalogRouteDependencies {
  readonly bus: MessageBus;
  /** For GETs: may read a replica (READ_DATABASE_URL). */
  readonly queries: CatalogQueries;
  /**
   * Reads the primary: the answer to a write, and the If-Match check before one, must see the
   * write side as it is now, never a replica that lags behind.
   */
  readonly freshQueries: CatalogQueries;
  readonly auth: AuthGuard;
}
