import { Id } from '../domain/id.ts';

/** Keyset pagination on id: `after` is the last id of the previous page. */
export interface PageRequest {
  readonly limit: number;
  readonly after?: Id;
}

export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * Cursors are opaque to clients (base64url of the last id), so the ordering key can change
 * without breaking them.
 */
export const Cursor = {
  encode(lastId: Id | string): string {
    return Buffer.from(`id:${lastId}`).toString('base64url');
  },

  decode(cursor: string): Id | undefined {
    const text = Buffer.from(cursor, 'base64url').toString('utf8');
    return text.startsWith('id:') ? Id.tryParse(text.slice(3)) : undefined;
  },
};

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells that there is more.
 */
export function toPage<T>(rows: T[], limit: number, idOf: (row: T) => Id | string): Page<T> {
  if (rows.length <= limit) return { items: rows, next_cursor: null };
  const items = rows.slice(0, limit);
  return { items, next_cursor: Cursor.encode(idOf(items[items.length - 1]!)) };
}
