import type { DomainEvent } from './domain-event.ts';
import type { DomainTools } from './domain-tools.ts';
import type { Id } from './id.ts';

/**
 * What every aggregate shares: an identity, a `version` for optimistic concurrency, and the events
 * it recorded since it was loaded. Subclasses keep their own state in their own readonly fields;
 * there is deliberately no generic props bag.
 */
export abstract class AggregateRoot<Event extends DomainEvent = DomainEvent> {
  abstract readonly id: Id;
  /** The version read from storage; 0 for an aggregate that was never saved. */
  #version: number;
  #events: Event[] = [];

  protected constructor(version: number) {
    this.#version = version;
  }

  get version(): number {
    return this.#version;
  }

  /** The aggregate type named in its events (`member`, `book`, …). */
  protected abstract readonly aggregateType: string;

  /** Records that something happened to this aggregate, stamped with a new id and the current time. */
  protected record<Name extends Event['name']>(
    tools: DomainTools,
    name: Name,
    payload: Extract<Event, { name: Name }>['payload'],
  ): void {
    this.#events.push({
      id: tools.ids.next(),
      name,
      aggregate_type: this.aggregateType,
      aggregate_id: this.id,
      occurred_at: tools.clock.now(),
      payload,
    } as unknown as Event);
  }

  /** Events recorded since load, without clearing them. */
  get recordedEvents(): readonly Event[] {
    return this.#events;
  }

  /** Hands the recorded events over (to the unit of work) and forgets them. */
  pullEvents(): Event[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /** Called by a repository once the aggregate is stored with `version + 1`. */
  markSaved(version: number): void {
    this.#version = version;
  }
}
