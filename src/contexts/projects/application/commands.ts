import type { CommandHandlers } from '../../../shared/application/message-bus.ts';
import { type AddTask, addTask } from './add-task.ts';
import { type ArchiveProject, archiveProject } from './archive-project.ts';
import {
  type CloseProjectsOfDepartedMember,
  closeProjectsOfDepartedMember,
} from './close-projects-of-departed-member.ts';
import { type CompleteTask, completeTask } from './complete-task.ts';
import { type CreateExampleProject, createExampleProject } from './create-example-project.ts';
import { type CreateProject, createProject } from './create-project.ts';
import { type DeleteProject, deleteProject } from './delete-project.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { type RenameTask, renameTask } from './rename-task.ts';
import { type ReopenTask, reopenTask } from './reopen-task.ts';
import { type UnarchiveProject, unarchiveProject } from './unarchive-project.ts';
import { type UpdateProject, updateProject } from './update-project.ts';
import type { ProjectView, TaskView } from './views.ts';

declare module '../../../shared/application/message-bus.ts' {
  interface CommandRegistry {
    'projects.create_project': { command: CreateProject; result: ProjectView };
    'projects.update_project': { command: UpdateProject; result: ProjectView };
    'projects.archive_project': { command: ArchiveProject; result: ProjectView };
    'projects.unarchive_project': { command: UnarchiveProject; result: ProjectView };
    'projects.delete_project': { command: DeleteProject; result: undefined };
    'projects.add_task': { command: AddTask; result: TaskView };
    'projects.rename_task': { command: RenameTask; result: TaskView };
    'projects.complete_task': { command: CompleteTask; result: TaskView };
    'projects.reopen_task': { command: ReopenTask; result: TaskView };
    'projects.create_example_project': { command: CreateExampleProject; result: { created: boolean } };
    'projects.close_projects_of_departed_member': {
      command: CloseProjectsOfDepartedMember;
      result: { closed: number };
    };
  }
}

export const projectsCommandTypes = [
  'projects.create_project',
  'projects.update_project',
  'projects.archive_project',
  'projects.unarchive_project',
  'projects.delete_project',
  'projects.add_task',
  'projects.rename_task',
  'projects.complete_task',
  'projects.reopen_task',
  'projects.create_example_project',
  'projects.close_projects_of_departed_member',
] as const;

export type ProjectsCommandType = (typeof projectsCommandTypes)[number];

/** The projects context's command handlers, one per command type (the compiler checks none is missing). */
export function projectsCommandHandlers(deps: ProjectsDependencies): CommandHandlers<ProjectsCommandType> {
  return {
    'projects.create_project': (command) => createProject(command, deps),
    'projects.update_project': (command) => updateProject(command, deps),
    'projects.archive_project': (command) => archiveProject(command, deps),
    'projects.unarchive_project': (command) => unarchiveProject(command, deps),
    'projects.delete_project': (command) => deleteProject(command, deps),
    'projects.add_task': (command) => addTask(command, deps),
    'projects.rename_task': (command) => renameTask(command, deps),
    'projects.complete_task': (command) => completeTask(command, deps),
    'projects.reopen_task': (command) => reopenTask(command, deps),
    'projects.create_example_project': (command) => createExampleProject(command, deps),
    'projects.close_projects_of_departed_member': (command) => closeProjectsOfDepartedMember(command, deps),
  };
}
