import type { Id } from './id.ts';

/** A JSON-safe value: what an event payload may hold (it is stored as jsonb and read by other contexts). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * Something that happened in the domain. Plain immutable data with a stable `name`
 * (`context.past_tense_verb`); never the aggregate instance, never a class name.
 */
export interface DomainEvent<
  Name extends string = string,
  Payload extends { readonly [key: string]: Json } = { readonly [key: string]: Json },
> {
  readonly id: Id;
  readonly name: Name;
  readonly aggregate_type: string;
  readonly aggregate_id: Id;
  readonly occurred_at: Date;
  readonly payload: Payload;
}
