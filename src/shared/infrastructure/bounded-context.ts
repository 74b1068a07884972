import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { AccessTokens } from '../application/access-tokens.ts';
import type { Subscription } from '../application/event-registry.ts';
import type { Mailer } from '../application/mailer.ts';
import type { MessageBus } from '../application/message-bus.ts';
import type { DomainEvent } from '../domain/domain-event.ts';
import type { DomainTools } from '../domain/domain-tools.ts';
import type { AuthGuard } from '../http/auth-guard.ts';
import type { ErrorStatusTable } from '../http/problem-details.ts';
import type { HousekeepingTask } from './housekeeping.ts';
import type { Outbox } from './outbox.ts';
import type { UnitOfWorkObserver } from './unit-of-work.ts';

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
  readonly accessTokens: AccessTokens;
  /** preHandlers for routes that need a signed-in member or a superuser. */
  readonly auth: AuthGuard;
  /** SMTP when SMTP_URL is set, otherwise a mailer that logs each message. */
  readonly mailer: Mailer;
  /** Where the service is reached from outside (PUBLIC_URL), for links in mails. */
  readonly publicUrl: string;
  /** The observer a context gives its units of work (`kyselyUnitOfWorkFactory`): it counts their re-runs. */
  readonly unitOfWorkObserver: (context: string) => UnitOfWorkObserver;
}

/**
 * A context's reaction to an event, delivered from the outbox by the relay. `event` is a name some
 * context publishes (see `EventRegistry`), and `handle` receives that event's type. `subscriber` is
 * a stable name (`projects.member_projects`): deliveries and "already processed" marks are
 * kept per (event, subscriber). `handle` runs inside the delivery's own transaction; a unit of
 * work made on `tx` joins it, so the effect, its events and the processed mark commit together.
 * Use `tx` for every database access: a query on the root handle would run outside the delivery
 * (and on PGlite, which runs one transaction at a time, wait for it forever).
 */
export type EventSubscription = Subscription<Transaction<unknown>>;

/**
 * Any context's subscription seen from outside it (the relay, tests): `handle` takes whatever
 * stored event it is given. Every `EventSubscription` is one; a test that hands a subscription an
 * event it read back from the outbox types its list with this (or calls `bus.deliver`).
 */
export interface AnyEventSubscription {
  readonly event: string;
  readonly subscriber: string;
  handle(event: DomainEvent, tx: Transaction<unknown>): Promise<void>;
}

/** A started context: what it serves over HTTP under /api/v1. */
export interface StartedContext {
  readonly routes: (app: FastifyInstance) => Promise<void>;
  readonly subscriptions?: readonly EventSubscription[];
  /** Clean-ups of the context's own tables, run hourly by the composition root. */
  readonly housekeeping?: readonly HousekeepingTask[];
  /** Awaited before the app serves: what fails here stops the start. */
  readonly ready?: () => Promise<void>;
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
