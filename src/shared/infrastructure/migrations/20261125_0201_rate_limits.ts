import { type Kysely, sql } from 'kysely';

/**
 * Rate-limit counters shared by every instance (RATE_LIMIT_STORE=database): one row per
 * (rule, hashed subject), a fixed window that opens with the first hit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('shared')
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey().check(sql`char_length(key) <= 200`))
    .addColumn('hits', 'integer', (c) => c.notNull().check(sql`hits >= 0`))
    .addColumn('window_ends_at', sql`timestamptz(3)`, (c) => c.notNull())
    .execute();
  // The sweep deletes ended windows by time.
  await db.schema
    .withSchema('shared')
    .createIndex('rate_limits_window_ends_at_idx')
    .on('rate_limits')
    .column('window_ends_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('shared').dropTable('rate_limits').execute();
}
