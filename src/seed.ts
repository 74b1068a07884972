import { sql } from 'kysely';
import type { App } from './app.ts';
import { seedCatalog } from './contexts/catalog/demo-catalog.ts';
import { seedProjects } from './contexts/projects/demo-projects.ts';
import { Id } from './shared/domain/id.ts';

export interface SeedOptions {
  /** Delete the demo data first and build it again. */
  readonly reset: boolean;
}

export interface SeedReport {
  readonly created: boolean;
  readonly lines: readonly string[];
}

/** The demo superuser (printed once with the members). */
export const DEMO_SUPERUSER = {
  email: 'root@demo.bounded.dev',
  name: 'Demo Root',
  password: 'Demo-Root-2026!',
} as const;

/** Demo members with known passwords (printed once, by `npm run cli -- seed`). */
export const DEMO_MEMBERS = [
  { email: 'ada@demo.bounded.dev', name: 'Ada Lovelace', password: 'Demo-Ada-2026!' },
  { email: 'grace@demo.bounded.dev', name: 'Grace Hopper', password: 'Demo-Grace-2026!' },
  { email: 'alan@demo.bounded.dev', name: 'Alan Turing', password: 'Demo-Alan-2026!' },
] as const;

/**
 * Builds the demo data through the same commands the API runs, so every rule applies. It is
 * idempotent: when the first demo member exists, nothing changes (unless `reset`).
 */
export async function seedDemo(app: App, options: SeedOptions): Promise<SeedReport> {
  const db = app.database.db;
  const demoEmails = DEMO_MEMBERS.map((m) => m.email);
  if (options.reset) {
    const { rows } = await sql<{ id: string }>`
      select id from accounts.members where email in (${sql.join(demoEmails)}) and deleted_at is null`.execute(
      db,
    );
    for (const row of rows) {
      await app.bus.execute({
        type: 'accounts.delete_member',
        actor: { kind: 'system' },
        memberId: Id.of(row.id),
      });
      // What the member_deleted reaction does through the outbox, done now so the reset is whole
      // even when no relay runs; the reaction is idempotent, so a later delivery changes nothing.
      await app.bus.execute({ type: 'projects.close_projects_of_departed_member', ownerId: Id.of(row.id) });
    }
  }
  const { rows: existing } = await sql<{ n: string }>`
    select count(*) as n from accounts.members where email in (${sql.join(demoEmails)}) and deleted_at is null`.execute(
    db,
  );
  if (Number(existing[0]?.n) > 0) {
    return {
      created: false,
      lines: ['The demo data is already there; nothing changed (use --reset to rebuild it).'],
    };
  }
  const lines: string[] = ['Demo members (these passwords are printed only now):'];
  // A superuser survives --reset (ensure_superuser leaves an existing one alone).
  const root = await app.bus.execute({ type: 'accounts.ensure_superuser', ...DEMO_SUPERUSER });
  if (root.outcome === 'created')
    lines.push(`  ${DEMO_SUPERUSER.email}  ${DEMO_SUPERUSER.password}  (superuser)`);
  const memberIds: Id[] = [];
  for (const member of DEMO_MEMBERS) {
    const { id } = await app.bus.execute({
      type: 'accounts.register_member',
      email: member.email,
      password: member.password,
      name: member.name,
    });
    memberIds.push(Id.of(id));
    lines.push(`  ${member.email}  ${member.password}`);
  }
  lines.push(...(await seedCatalog(app, options)));
  lines.push(...(await seedProjects(app, memberIds)));
  return { created: true, lines };
}
