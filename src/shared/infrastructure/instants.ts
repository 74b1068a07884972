import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { isoInstantParser } from './timestamptz.ts';

const TIMESTAMPTZ_OID = 1184;

/**
 * A `timestamptz` column selected as text, for a read model to pass on with `isoInstant`: the
 * server writes the same text it sends for the column itself, and the driver makes no `Date`.
 * A nullable column (or one across an outer join) says so: `instantText<string | null>(…)`.
 */
export function instantText<T extends string | null = string>(column: string): RawBuilder<T> {
  return sql<T>`${sql.ref(column)}::text`;
}

/** `instantText`'s value as the API writes instants: `Date#toISOString()`'s form. */
export const isoInstant = isoInstantParser(
  pg.types.getTypeParser(TIMESTAMPTZ_OID) as (text: string) => unknown,
);
