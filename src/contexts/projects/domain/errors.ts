import { DomainError } from '../../../shared/domain/domain-error.ts';

export type ProjectsErrorCode =
  | 'project.invalid_name'
  | 'project.invalid_task_limit'
  | 'task.invalid_name'
  | 'project.not_found'
  | 'task.not_found'
  | 'project.archived'
  | 'project.not_archived'
  | 'project.incomplete_tasks'
  | 'project.task_limit_reached'
  | 'project.task_limit_too_low'
  | 'project.task_numbers_exhausted'
  | 'project.example_exists'
  | 'project.owner_departed';

export class InvalidProjectNameError extends DomainError<'project.invalid_name'> {
  readonly code = 'project.invalid_name' as const;
}

export class InvalidTaskNameError extends DomainError<'task.invalid_name'> {
  readonly code = 'task.invalid_name' as const;
}

export class InvalidTaskLimitError extends DomainError<'project.invalid_task_limit'> {
  readonly code = 'project.invalid_task_limit' as const;
}

/** Also the answer for a project that exists but belongs to someone else: its existence is not told. */
export class ProjectNotFoundError extends DomainError<'project.not_found'> {
  readonly code = 'project.not_found' as const;

  constructor(id: string) {
    super(`No project with id ${id}`);
  }
}

export class TaskNotFoundError extends DomainError<'task.not_found'> {
  readonly code = 'task.not_found' as const;

  constructor(projectId: string, number: number) {
    super(`Project ${projectId} has no task ${number}`);
  }
}

/** An archived project is read-only until it is unarchived. */
export class ProjectArchivedError extends DomainError<'project.archived'> {
  readonly code = 'project.archived' as const;

  constructor(id: string, action: string) {
    super(`The project ${id} is archived: it cannot ${action}`);
  }
}

export class ProjectNotArchivedError extends DomainError<'project.not_archived'> {
  readonly code = 'project.not_archived' as const;

  constructor(id: string, action: string) {
    super(`The project ${id} is not archived: only an archived project can be ${action}`);
  }
}

export class IncompleteTasksError extends DomainError<'project.incomplete_tasks'> {
  readonly code = 'project.incomplete_tasks' as const;

  constructor(id: string, incomplete: number) {
    super(
      `The project ${id} cannot be archived: ${incomplete} ${incomplete === 1 ? 'task is' : 'tasks are'} not complete`,
    );
  }
}

export class TaskLimitReachedError extends DomainError<'project.task_limit_reached'> {
  readonly code = 'project.task_limit_reached' as const;

  constructor(id: string, limit: number) {
    super(`The project ${id} allows at most ${limit} incomplete ${limit === 1 ? 'task' : 'tasks'}`);
  }
}

export class TaskLimitTooLowError extends DomainError<'project.task_limit_too_low'> {
  readonly code = 'project.task_limit_too_low' as const;

  constructor(id: string, limit: number, incomplete: number) {
    super(
      `The limit of project ${id} cannot be ${limit}: ${incomplete} tasks are incomplete; complete some first`,
    );
  }
}

/** Task numbers are never reused; a project that used them all up takes no more tasks. */
export class TaskNumbersExhaustedError extends DomainError<'project.task_numbers_exhausted'> {
  readonly code = 'project.task_numbers_exhausted' as const;

  constructor(id: string) {
    super(`The project ${id} has used every task number; start a new project`);
  }
}

/** A member has at most one example project; a second delivery of their sign-up makes none. */
export class ExampleProjectExistsError extends DomainError<'project.example_exists'> {
  readonly code = 'project.example_exists' as const;

  constructor(owner: string) {
    super(`The member ${owner} already has an example project`);
  }
}

/**
 * The member deleted their account: this context remembers them (the reaction to
 * accounts.member_deleted) and gives them no new project. Their access token is checked without
 * the database and may still be valid for a while (ACCESS_TOKEN_TTL), so this is what they meet.
 */
export class OwnerDepartedError extends DomainError<'project.owner_departed'> {
  readonly code = 'project.owner_departed' as const;

  constructor(owner: string) {
    super(`The member ${owner} has deleted their account: they can have no new project`);
  }
}
