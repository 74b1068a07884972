import type { CompiledQuery, Kysely } from 'kysely';
import { type Page, type PageRequest, toPage } from '../../../shared/application/pagination.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { isoStamps, stampTexts } from '../../../shared/infrastructure/instants.ts';
import { prepared } from '../../../shared/infrastructure/prepared-statements.ts';
import type { MemberView } from '../application/member-view.ts';
import type { MemberQueries } from '../application/queries.ts';
import type { AccountsTables } from './tables.ts';

/** The read model: one SELECT per question, rows mapped straight to views. */
export class KyselyMemberQueries implements MemberQueries {
  readonly #db: Kysely<AccountsTables>;
  /**
   * The hottest read, compiled once: building a Kysely query costs microseconds per request that a
   * primary-key lookup cannot afford. Only the parameter changes between calls. Prepared: parsed
   * and planned once per connection.
   */
  readonly #byId: CompiledQuery<MemberRow>;

  constructor(db: Kysely<unknown>) {
    this.#db = db as Kysely<AccountsTables>;
    this.#byId = prepared(this.#select().where('id', '=', '0').compile());
  }

  #select() {
    return this.#db
      .selectFrom('accounts.members')
      .select(['id', 'email', 'name', 'is_superuser', ...stampTexts()])
      .where('deleted_at', 'is', null);
  }

  async byId(id: Id): Promise<MemberView | undefined> {
    const { rows } = await this.#db.executeQuery<MemberRow>({ ...this.#byId, parameters: [id.toString()] });
    return rows[0] && toView(rows[0]);
  }

  async list(page: PageRequest): Promise<Page<MemberView>> {
    let query = this.#select()
      .orderBy('id')
      .limit(page.limit + 1);
    if (page.after !== undefined) query = query.where('id', '>', page.after.toString());
    const rows = await query.execute();
    return toPage(rows.map(toView), page.limit, (view) => view.id);
  }
}

interface MemberRow {
  id: string;
  email: string;
  name: string;
  is_superuser: boolean;
  /** As text (`instantText`). */
  created_at: string;
  updated_at: string;
}

function toView(row: MemberRow): MemberView {
  return { ...row, ...isoStamps(row) };
}
