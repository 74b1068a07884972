import type { Page, PageRequest } from '../../../shared/application/pagination.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { MemberView } from './member-view.ts';

/**
 * The read side (CQRS): answers straight from SQL as views, without loading aggregates.
 * Deleted members are invisible to every query.
 */
export interface MemberQueries {
  byId(id: Id): Promise<MemberView | undefined>;
  list(page: PageRequest): Promise<Page<MemberView>>;
}
