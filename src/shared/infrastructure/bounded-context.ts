import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { MessageBus } from '../application/message-bus.ts';
import type { DomainTools } from '../domain/domain-tools.ts';
import type { ErrorStatusTable } from '../http/problem-details.ts';
import type { Outbox } from './outbox.ts';

/** What the composition root hands every context when it starts. */
export interface ContextWiring {
  /** The primary database: commands and their transactions. */
  readonly db: Kysely<unknown>;
  /** Where queries read (a replica when READ_DATABASE_URL is set, else the primary). */
  readonly readDb: Kysely<unknown>;
  readonly outbox: Outbox;
  readonly tools: DomainTools;
  readonly bus: MessageBus;
  readonly logger: FastifyBaseLogger;
}

/** A started context: what it serves over HTTP under /api/v1. */
export interface StartedContext {
  readonly routes: (app: FastifyInstance) => Promise<void>;
}

/**
 * A bounded context as the composition root sees it. Each context's index.ts exports one; it is
 * the only place inside a context that wires concrete adapters to ports.
 */
export interface BoundedContext<Options = unknown> {
  readonly name: string;
  /** The folder of the context's migrations (its own Postgres schema). */
  readonly migrations: URL;
  /** Its domain error codes mapped to HTTP statuses. */
  readonly errorStatuses: ErrorStatusTable;
  /** Every command type it handles, checked against the bus at start-up. */
  readonly commandTypes: readonly string[];
  /** Tag descriptions for the OpenAPI document. */
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  start(wiring: ContextWiring, options: Options): StartedContext;
}
