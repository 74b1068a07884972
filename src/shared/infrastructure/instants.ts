import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { isoInstantParser } from './timestamptz.ts';

const TIMESTAMPTZ_OID = 1184;

/**
 * A `timestamptz` column selected as text, for a read model to pass on with `isoInstant`: the
 * server writes the same text it sends for the column itself, and the driver makes no `Date`.
 */
export function instantText(column: string): RawBuilder<string> {
  return sql<string>`${sql.ref(column)}::text`;
}

/** `instantText`'s value as the API writes instants: `Date#toISOString()`'s form. */
export const isoInstant = isoInstantParser(
  pg.types.getTypeParser(TIMESTAMPTZ_OID) as (text: string) => unknown,
);
