import { type Kysely, sql } from 'kysely';

/**
 * The shared schema: the transactional outbox every context writes its events to, and the
 * worker-id leases that keep Snowflake ids unique across processes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('shared').ifNotExists().execute();

  await db.schema
    .withSchema('shared')
    .createTable('outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('aggregate_type', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'bigint', (c) => c.notNull())
    .addColumn('occurred_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .withSchema('shared')
    .createTable('worker_leases')
    .addColumn('worker_id', 'integer', (c) => c.primaryKey().check(sql`worker_id between 0 and 1023`))
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('shared').dropTable('worker_leases').execute();
  await db.schema.withSchema('shared').dropTable('outbox').execute();
}
