import { type Kysely, sql } from 'kysely';

/**
 * The projects schema. A project row carries the counters its rules need (next task number, task
 * count, completed count), so commands never count or load every task; the checks below keep the
 * counters honest even against a buggy writer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('projects').ifNotExists().execute();
  await db.schema
    .withSchema('projects')
    .createTable('projects')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 4 and 32`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'archived')`))
    .addColumn('max_incomplete_tasks', 'integer', (c) =>
      c.check(sql`max_incomplete_tasks between 1 and 1000`),
    )
    .addColumn('is_example', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('next_task_number', 'integer', (c) => c.notNull())
    .addColumn('task_count', 'integer', (c) => c.notNull())
    .addColumn('completed_task_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('deleted_at', sql`timestamptz(3)`)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addCheckConstraint(
      'projects_task_counters',
      sql`0 <= completed_task_count and completed_task_count <= task_count and task_count < next_task_number`,
    )
    .addCheckConstraint('projects_deleted_only_when_archived', sql`deleted_at is null or status = 'archived'`)
    .execute();
  // A member's visible projects, in id order: the list query, and the reaction to a member's deletion.
  await db.schema
    .withSchema('projects')
    .createIndex('projects_visible_by_owner')
    .on('projects')
    .columns(['owner_id', 'id'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  // At most one example project per member, deleted or not: what makes a redelivered sign-up harmless.
  await db.schema
    .withSchema('projects')
    .createIndex('projects_one_example_per_owner')
    .on('projects')
    .column('owner_id')
    .unique()
    .where(sql.ref('is_example'), '=', true)
    .execute();

  await db.schema
    .withSchema('projects')
    .createTable('tasks')
    .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.projects.id'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number >= 1`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 4 and 32`))
    .addColumn('completed_at', sql`timestamptz(3)`)
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('tasks_pkey', ['project_id', 'number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('projects').dropTable('tasks').execute();
  await db.schema.withSchema('projects').dropTable('projects').execute();
  await db.schema.dropSchema('projects').execute();
}
