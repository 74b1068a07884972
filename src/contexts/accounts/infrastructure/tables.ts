import type { ColumnType } from 'kysely';
import type { SessionRevocationReason } from '../domain/session.ts';

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

export interface SessionsTable {
  id: ColumnType<string, bigint | string, never>;
  member_id: ColumnType<string, bigint | string, never>;
  created_at: ColumnType<Date, Date, never>;
  token_hash: string;
  token_expires_at: Date;
  refreshed_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: SessionRevocationReason | null;
  version: number;
}

/** Every refresh token hash ever issued, current or spent, and its session (for reuse detection). */
export interface RefreshTokensTable {
  token_hash: ColumnType<string, string, never>;
  session_id: ColumnType<string, bigint | string, never>;
  issued_at: ColumnType<Date, Date, never>;
}

export interface PasswordResetsTable {
  id: ColumnType<string, bigint | string, never>;
  member_id: ColumnType<string, bigint | string, never>;
  token_hash: ColumnType<string, string, never>;
  created_at: ColumnType<Date, Date, never>;
  expires_at: ColumnType<Date, Date, never>;
  used_at: Date | null;
  version: number;
}

/** The accounts schema as Kysely sees it. */
export interface AccountsTables {
  'accounts.members': MembersTable;
  'accounts.sessions': SessionsTable;
  'accounts.refresh_tokens': RefreshTokensTable;
  'accounts.password_resets': PasswordResetsTable;
}
