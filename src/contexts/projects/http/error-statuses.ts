import type { ProjectsErrorCode } from '../domain/errors.ts';

/** Every projects error code has its status; a new code without one does not compile. */
export const projectsErrorStatuses: Record<ProjectsErrorCode, number> = {
  'project.invalid_name': 400,
  'project.invalid_task_limit': 400,
  'task.invalid_name': 400,
  'project.not_found': 404,
  'task.not_found': 404,
  'project.archived': 409,
  'project.not_archived': 409,
  'project.incomplete_tasks': 409,
  'project.task_limit_reached': 409,
  'project.task_limit_too_low': 409,
  'project.task_numbers_exhausted': 409,
  // Raised only inside the sign-up reaction, which treats it as "already done"; never an HTTP answer.
  'project.example_exists': 409,
  // A departed member's remaining access token: 404, as accounts answers it on every route that
  // loads the member (member.not_found). Not 401: that is the auth guard's answer, which comes
  // with its WWW-Authenticate challenge; the token itself is still valid, it is its member that
  // is gone.
  'project.owner_departed': 404,
};
