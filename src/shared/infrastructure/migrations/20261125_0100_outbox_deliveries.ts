import { type Kysely, sql } from 'kysely';

/**
 * One delivery per (event, subscriber), written with the event in the command's transaction (see
 * docs/events.md for why at append time rather than by the relay). The row is also the subscriber's
 * "processed" mark: the relay sets `status = 'delivered'` in the transaction that runs the
 * subscriber, so the effect and the mark commit together or not at all.
 *
 * `id` is an identity, assigned when the row is inserted: for one aggregate, whose commands are
 * serialised by its version check, it follows commit order, which a Snowflake id made on another
 * machine's clock would not. The relay delivers an aggregate's events to one subscriber in `id` order.
 *
 * `available_at` and `claimed_until` are compared with `now()` to the microsecond; at millisecond
 * precision a delivery stored a fraction of a millisecond ago could round into the future.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('shared')
    .createTable('outbox_deliveries')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('event_id', 'bigint', (c) => c.notNull().references('shared.outbox.id').onDelete('cascade'))
    .addColumn('subscriber', 'text', (c) => c.notNull().check(sql`char_length(subscriber) <= 200`))
    // The event's name, so that a relay claims only the (event, subscriber) pairs its version knows.
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'delivered', 'dead')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('available_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('finished_at', sql`timestamptz(3)`)
    .addUniqueConstraint('outbox_deliveries_event_subscriber_key', ['event_id', 'subscriber'])
    .execute();

  // The relay's claim: the oldest pending deliveries first …
  await db.schema
    .withSchema('shared')
    .createIndex('outbox_deliveries_pending')
    .on('outbox_deliveries')
    .column('id')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  // … each only when no earlier one of its aggregate waits for the same subscriber.
  await db.schema
    .withSchema('shared')
    .createIndex('outbox_deliveries_pending_by_aggregate')
    .on('outbox_deliveries')
    .columns(['subscriber', 'aggregate_id', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  // Retention: delivered rows, then events left without deliveries, oldest first.
  await db.schema
    .withSchema('shared')
    .createIndex('outbox_deliveries_delivered')
    .on('outbox_deliveries')
    .column('finished_at')
    .where(sql.ref('status'), '=', 'delivered')
    .execute();
  await db.schema
    .withSchema('shared')
    .createIndex('outbox_recorded_at')
    .on('outbox')
    .column('recorded_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('shared').dropIndex('outbox_recorded_at').execute();
  await db.schema.withSchema('shared').dropTable('outbox_deliveries').execute();
}
