import type { ColumnType } from 'kysely';

export interface MembersTable {
  id: ColumnType<string, bigint | string, never>;
  email: string;
  name: string;
  password_hash: string;
  is_superuser: boolean;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
  deleted_at: Date | null;
  version: number;
}

/** The accounts schema as Kysely sees it. */
export interface AccountsTables {
  'accounts.members': MembersTable;
}
