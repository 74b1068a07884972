import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { Project } from './project.ts';
import { ProjectName } from './project-name.ts';
import { TaskName } from './task-name.ts';

/** What every new member finds in their account: a project that shows how tasks work. */
export const EXAMPLE_PROJECT = {
  name: 'My first project',
  tasks: [
    { name: 'Sign up!', completed: true },
    { name: 'Watch the tutorial', completed: false },
    { name: 'Start using our awesome app', completed: false },
  ],
} as const;

/**
 * Builds a member's example project through the aggregate's own methods, so it records the same
 * events as if the member had made it by hand, and is marked as the member's one example.
 */
export function exampleProjectFor(owner: Id, tools: DomainTools): Project {
  const project = Project.create(
    { owner, name: ProjectName.parse(EXAMPLE_PROJECT.name), example: true },
    tools,
  );
  for (const { name, completed } of EXAMPLE_PROJECT.tasks) {
    const task = project.addTask(TaskName.parse(name), tools);
    if (completed) project.completeTask(task.number, tools);
  }
  return project;
}
