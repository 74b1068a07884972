import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('accounts').ifNotExists().execute();
  await db.schema
    .withSchema('accounts')
    .createTable('members')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().check(sql`char_length(email) <= 254`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_superuser', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('deleted_at', sql`timestamptz(3)`)
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  // One active member per email; a deleted member's email can be registered again.
  await db.schema
    .withSchema('accounts')
    .createIndex('members_active_email_key')
    .on('members')
    .column('email')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('accounts').dropTable('members').execute();
  await db.schema.dropSchema('accounts').execute();
}
