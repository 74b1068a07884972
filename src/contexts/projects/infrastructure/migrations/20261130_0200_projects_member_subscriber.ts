import { type Kysely, sql } from 'kysely';

/**
 * The projects context's two reactions to a member's events now share one subscriber name,
 * `projects.member_projects` (src/contexts/projects/index.ts): deliveries of one subscriber are
 * ordered per aggregate, so a member's deletion is handled only after their sign-up. Deliveries
 * still waiting under the two old names (pending or dead) move to the new one, so that this version
 * runs them; delivered ones keep their names, as history.
 *
 * During a rolling deploy, an instance of the previous version still records deliveries under the
 * old names after this ran, and only such instances run them. Should one be left when the last of
 * them stops, `npm run cli -- outbox status` shows it as the backlog of a subscriber nobody runs;
 * the UPDATE below moves it over.
 */
const OLD = ['projects.create_example_project', 'projects.close_projects_of_departed_member'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update shared.outbox_deliveries set subscriber = 'projects.member_projects'
     where subscriber in (${sql.lit(OLD[0])}, ${sql.lit(OLD[1])}) and status <> 'delivered'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    update shared.outbox_deliveries
       set subscriber = case event_name when 'accounts.member_registered' then ${sql.lit(OLD[0])}
                                        else ${sql.lit(OLD[1])} end
     where subscriber = 'projects.member_projects' and status <> 'delivered'`.execute(db);
}
