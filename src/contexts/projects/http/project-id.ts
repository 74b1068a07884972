import type { Id } from '../../../shared/domain/id.ts';
import { pathId } from '../../../shared/http/schemas.ts';
import { ProjectNotFoundError } from '../domain/errors.ts';

/** A path id that cannot be an id (above 2^63-1) names no project. */
export function projectId(raw: string): Id {
  const id = pathId(raw);
  if (id === undefined) throw new ProjectNotFoundError(raw);
  return id;
}
