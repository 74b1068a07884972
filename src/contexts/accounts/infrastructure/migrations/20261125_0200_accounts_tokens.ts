import { type Kysely, sql } from 'kysely';

/**
 * Sessions (refresh token families), every refresh token hash they were ever given, and password
 * resets. Tokens are stored as hashes only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('accounts')
    .createTable('sessions')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('member_id', 'bigint', (c) => c.notNull().references('accounts.members.id'))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().check(sql`char_length(token_hash) <= 128`))
    .addColumn('token_expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('refreshed_at', sql`timestamptz(3)`)
    .addColumn('revoked_at', sql`timestamptz(3)`)
    .addColumn('revoked_reason', 'text', (c) =>
      c.check(sql`revoked_reason in ('signed_out', 'reuse_detected', 'password_changed', 'member_deleted')`),
    )
    .addColumn('version', 'integer', (c) => c.notNull())
    .addCheckConstraint('sessions_revoked_with_reason', sql`(revoked_at is null) = (revoked_reason is null)`)
    .execute();
  // A password change or a deletion revokes the member's open sessions in one statement.
  await db.schema
    .withSchema('accounts')
    .createIndex('sessions_open_by_member_idx')
    .on('sessions')
    .column('member_id')
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  await db.schema
    .withSchema('accounts')
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey().check(sql`char_length(token_hash) <= 128`))
    .addColumn('session_id', 'bigint', (c) =>
      c.notNull().references('accounts.sessions.id').onDelete('cascade'),
    )
    .addColumn('issued_at', sql`timestamptz(3)`, (c) => c.notNull())
    .execute();
  await db.schema
    .withSchema('accounts')
    .createIndex('refresh_tokens_session_idx')
    .on('refresh_tokens')
    .column('session_id')
    .execute();

  await db.schema
    .withSchema('accounts')
    .createTable('password_resets')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('member_id', 'bigint', (c) => c.notNull().references('accounts.members.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique().check(sql`char_length(token_hash) <= 128`))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('used_at', sql`timestamptz(3)`)
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .withSchema('accounts')
    .createIndex('password_resets_unused_by_member_idx')
    .on('password_resets')
    .column('member_id')
    .where(sql.ref('used_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('accounts').dropTable('password_resets').execute();
  await db.schema.withSchema('accounts').dropTable('refresh_tokens').execute();
  await db.schema.withSchema('accounts').dropTable('sessions').execute();
}
