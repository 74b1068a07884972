import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { TIMESTAMPTZ_OID } from './database.ts';
import { isoInstantParser } from './timestamptz.ts';

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

/** A row's `created_at` and `updated_at` as text (`instantText`), of `table` (an alias) if given. */
export function stampTexts(table?: string) {
  const column = (name: string) => (table === undefined ? name : `${table}.${name}`);
  return [
    instantText(column('created_at')).as('created_at'),
    instantText(column('updated_at')).as('updated_at'),
  ] as const;
}

/** The `created_at` and `updated_at` that `stampTexts` read, as the API writes them. */
export function isoStamps(row: { readonly created_at: string; readonly updated_at: string }): {
  created_at: string;
  updated_at: string;
} {
  return { created_at: isoInstant(row.created_at), updated_at: isoInstant(row.updated_at) };
}
