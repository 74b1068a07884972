import type { DomainEvent } from '../../../shared/domain/domain-event.ts';

/**
 * The projects context's events, all recorded by the Project aggregate (`aggregate_type`
 * `project`, `aggregate_id` the project id; task events name the task by its number). Their
 * names and payloads are a published contract: other contexts may subscribe to them.
 */
export type ProjectCreated = DomainEvent<
  'projects.project_created',
  {
    readonly owner_id: string;
    readonly name: string;
    readonly max_incomplete_tasks: number | null;
    readonly is_example: boolean;
  }
>;
export type ProjectRenamed = DomainEvent<
  'projects.project_renamed',
  { readonly old_name: string; readonly new_name: string }
>;
export type IncompleteTaskLimitChanged = DomainEvent<
  'projects.incomplete_task_limit_changed',
  { readonly max_incomplete_tasks: number | null }
>;
/** Why a project left the active set: its owner asked, or the owner's account was deleted. */
export type ClosingReason = 'requested' | 'owner_deleted';
export type ProjectArchived = DomainEvent<'projects.project_archived', { readonly reason: ClosingReason }>;
export type ProjectUnarchived = DomainEvent<'projects.project_unarchived', Record<string, never>>;
export type ProjectDeleted = DomainEvent<'projects.project_deleted', { readonly reason: ClosingReason }>;
export type TaskAdded = DomainEvent<
  'projects.task_added',
  { readonly number: number; readonly name: string }
>;
export type TaskRenamed = DomainEvent<
  'projects.task_renamed',
  { readonly number: number; readonly old_name: string; readonly new_name: string }
>;
export type TaskCompleted = DomainEvent<
  'projects.task_completed',
  { readonly number: number; readonly completed_at: string }
>;
export type TaskReopened = DomainEvent<'projects.task_reopened', { readonly number: number }>;

export type ProjectEvent =
  | ProjectCreated
  | ProjectRenamed
  | IncompleteTaskLimitChanged
  | ProjectArchived
  | ProjectUnarchived
  | ProjectDeleted
  | TaskAdded
  | TaskRenamed
  | TaskCompleted
  | TaskReopened;
