import type { DomainEvent } from '../domain/domain-event.ts';
import type { Subscription } from './event-registry.ts';

/**
 * Routes every command to exactly one handler, and every event to each of its 0..N subscribers.
 * Contexts declare their commands by augmenting `CommandRegistry` (and the events they publish by
 * augmenting `EventRegistry`), so `execute` and each subscription are typed end to end:
 *
 *   declare module '../../../shared/application/message-bus.ts' {
 *     interface CommandRegistry { 'accounts.register_member': { command: RegisterMember; result: MemberView } }
 *   }
 *
 * The bus only routes. Events reach it through the transactional outbox: one delivery per
 * (event, subscriber) is stored with the event, and the relay hands each one to `deliver` in a
 * transaction of its own. Nothing here runs a subscriber inside the command that raised the event.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each context through declaration merging
export interface CommandRegistry {}

export type CommandType = keyof CommandRegistry & string;
export type CommandOf<T extends CommandType> = CommandRegistry[T] extends { command: infer C } ? C : never;
export type ResultOf<T extends CommandType> = CommandRegistry[T] extends { result: infer R } ? R : never;
export type CommandHandler<T extends CommandType> = (command: CommandOf<T>) => Promise<ResultOf<T>>;
/** A context's handlers: one for each of its command types, checked by the compiler. */
export type CommandHandlers<T extends CommandType> = { readonly [K in T]: CommandHandler<K> };

export interface Command<T extends string = string> {
  readonly type: T;
}

/** A subscriber's or an event's name, `context.snake_case_name`: stored with every delivery, so it must stay stable. */
const STABLE_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

interface StoredSubscription {
  readonly handle: (event: DomainEvent, tx: unknown) => Promise<void>;
  readonly onlyDatabaseEffects: boolean;
}
interface AnySubscription<Tx> {
  readonly event: string;
  readonly subscriber: string;
  readonly onlyDatabaseEffects?: boolean;
  handle(event: never, tx: Tx): Promise<void>;
}

/** Thrown by `deliver` for a (event, subscriber) pair this process does not know. */
export class UnknownSubscriberError extends Error {
  constructor(subscriber: string, event: string) {
    super(`No subscriber "${subscriber}" for event "${event}" in this process`);
  }
}

export class MessageBus {
  readonly #handlers = new Map<string, (command: never) => Promise<unknown>>();
  /** event name → subscriber name → its subscription */
  readonly #subscriptions = new Map<string, Map<string, StoredSubscription>>();

  /** Registers a context's handlers; a second handler for one command is a start-up error. */
  register<T extends CommandType>(handlers: CommandHandlers<T>): void {
    for (const [type, handler] of Object.entries(handlers) as [string, (c: never) => Promise<unknown>][]) {
      if (this.#handlers.has(type))
        throw new Error(`Command "${type}" has two handlers; it must have exactly one`);
      this.#handlers.set(type, handler);
    }
  }

  /** Start-up check that every declared command has its handler. */
  assertHandles(types: readonly string[]): void {
    const missing = types.filter((type) => !this.#handlers.has(type));
    if (missing.length > 0) throw new Error(`No handler registered for command(s): ${missing.join(', ')}`);
  }

  execute<T extends CommandType>(command: CommandOf<T> & Command<T>): Promise<ResultOf<T>> {
    const handler = this.#handlers.get(command.type);
    if (handler === undefined) throw new Error(`No handler registered for command "${command.type}"`);
    return handler(command as never) as Promise<ResultOf<T>>;
  }

  /**
   * Registers event subscriptions. A malformed subscriber or event name, or the same (event,
   * subscriber) pair twice, is a start-up error.
   */
  subscribe<Tx>(subscriptions: readonly Subscription<Tx>[]): void {
    // Seen from here, each subscription is only "some event": its type was checked where it was written.
    for (const subscription of subscriptions as readonly AnySubscription<Tx>[]) {
      const { event, subscriber } = subscription;
      if (!STABLE_NAME.test(subscriber)) {
        throw new Error(`Subscriber name "${subscriber}" is not of the form context.snake_case_name`);
      }
      if (!STABLE_NAME.test(event)) {
        throw new Error(`Event name "${event}" is not of the form context.snake_case_name`);
      }
      const bySubscriber = this.#subscriptions.get(event) ?? new Map<string, StoredSubscription>();
      if (bySubscriber.has(subscriber)) {
        throw new Error(`Subscriber "${subscriber}" is subscribed to "${event}" twice`);
      }
      bySubscriber.set(subscriber, {
        handle: (e, tx) => subscription.handle(e as never, tx as Tx),
        onlyDatabaseEffects: subscription.onlyDatabaseEffects === true,
      });
      this.#subscriptions.set(event, bySubscriber);
    }
  }

  /** The subscribers an event fans out to, in registration order (none is fine). */
  subscribersOf(eventName: string): readonly string[] {
    return [...(this.#subscriptions.get(eventName)?.keys() ?? [])];
  }

  /** Every (event, subscriber) pair this process can deliver. */
  get routes(): readonly { readonly event: string; readonly subscriber: string }[] {
    return [...this.#subscriptions].flatMap(([event, bySubscriber]) =>
      [...bySubscriber.keys()].map((subscriber) => ({ event, subscriber })),
    );
  }

  /** True when the subscription says all its effects go through the delivery's transaction. */
  onlyDatabaseEffects(subscriber: string, eventName: string): boolean {
    return this.#subscriptions.get(eventName)?.get(subscriber)?.onlyDatabaseEffects === true;
  }

  /** Every subscriber name this process can deliver to. */
  get subscribers(): readonly string[] {
    return [
      ...new Set([...this.#subscriptions.values()].flatMap((bySubscriber) => [...bySubscriber.keys()])),
    ];
  }

  /** Hands one stored event to one of its subscribers, inside the delivery's transaction `tx`. */
  deliver<Tx>(subscriber: string, event: DomainEvent, tx: Tx): Promise<void> {
    const handle = this.#subscriptions.get(event.name)?.get(subscriber)?.handle;
    if (handle === undefined) return Promise.reject(new UnknownSubscriberError(subscriber, event.name));
    return handle(event, tx);
  }
}
