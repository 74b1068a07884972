import type { DomainEvent } from '../domain/domain-event.ts';

/**
 * Every event a context publishes, by its stable name. The publishing context augments this
 * interface (its published language), so a subscriber in any context gets the event's type from
 * its name alone, without importing the publisher:
 *
 *   declare module '../../../shared/application/event-registry.ts' {
 *     interface EventRegistry { 'accounts.member_registered': MemberRegistered }
 *   }
 *
 * A subscription to a name nobody publishes, or one that reads a payload field the event does
 * not have, does not compile.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each publishing context through declaration merging
export interface EventRegistry {}

export type EventName = keyof EventRegistry & string;
export type EventOf<N extends EventName> = EventRegistry[N] extends DomainEvent ? EventRegistry[N] : never;

/**
 * One subscriber's reaction to one event. `subscriber` is a stable name (`accounts.send_welcome_mail`):
 * deliveries and their "processed" marks are kept per (event, subscriber), so renaming a subscriber
 * is a new subscriber. Handlers that must see one aggregate's events in order share one name.
 * `Tx` is the delivery's transaction, given by the infrastructure that runs the subscriber.
 */
export interface EventSubscription<N extends EventName, Tx> {
  readonly event: N;
  readonly subscriber: string;
  /**
   * True when everything `handle` does goes through the transaction it is given: no mail, no
   * call to another system. The relay may then deliver several such deliveries in one
   * transaction, since a failure rolls all of them back and nothing has escaped to be repeated.
   * Leave it unset for a subscriber with an effect outside the database: it gets a transaction
   * of its own, so that another delivery's failure never makes it act twice.
   */
  readonly onlyDatabaseEffects?: boolean;
  handle(event: EventOf<N>, tx: Tx): Promise<void>;
}

/**
 * A subscription to any published event, discriminated by `event`: in an array of these, each
 * object literal's `handle` gets the event type its `event` names.
 */
export type Subscription<Tx> = { [N in EventName]: EventSubscription<N, Tx> }[EventName];
