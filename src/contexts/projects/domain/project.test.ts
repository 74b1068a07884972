import { describe, expect, it } from 'vitest';
import { ADA, aProject, fixedTools, GRACE } from '../../../../test/support/projects.ts';
import {
  IncompleteTasksError,
  ProjectArchivedError,
  ProjectNotArchivedError,
  ProjectNotFoundError,
  TaskLimitReachedError,
  TaskLimitTooLowError,
  TaskNotFoundError,
  TaskNumbersExhaustedError,
} from './errors.ts';
import { EXAMPLE_PROJECT, exampleProjectFor } from './example-project.ts';
import { IncompleteTaskLimit } from './incomplete-task-limit.ts';
import { Project } from './project.ts';
import { ProjectName } from './project-name.ts';
import { TaskName } from './task-name.ts';

const task = (name: string) => TaskName.parse(name);

describe('Project', () => {
  it('is created active and empty, recording projects.project_created with its owner', () => {
    const tools = fixedTools();
    const project = Project.create(
      { owner: ADA, name: ProjectName.parse('  Garden shed '), limit: IncompleteTaskLimit.of(3) },
      tools,
    );
    expect(project.toPrimitives()).toMatchObject({
      owner_id: ADA,
      name: 'Garden shed',
      status: 'active',
      max_incomplete_tasks: 3,
      is_example: false,
      next_task_number: 1,
      task_count: 0,
      completed_task_count: 0,
      deleted_at: null,
      version: 0,
    });
    expect(project.pullEvents()).toEqual([
      expect.objectContaining({
        name: 'projects.project_created',
        aggregate_type: 'project',
        aggregate_id: project.id,
        payload: { owner_id: '1001', name: 'Garden shed', max_incomplete_tasks: 3, is_example: false },
      }),
    ]);
  });

  it('belongs to its owner only', () => {
    const project = aProject().ownedBy(ADA).build();
    expect(project.isOwnedBy(ADA)).toBe(true);
    expect(project.isOwnedBy(GRACE)).toBe(false);
  });

  it('renames, recording the old and new name; the same name again records nothing', () => {
    const tools = fixedTools();
    const project = aProject(tools).build();
    tools.clock.advance(1000);
    project.rename(ProjectName.parse('Tool shed'), tools);
    project.rename(ProjectName.parse(' Tool shed '), tools);
    expect(project.name.value).toBe('Tool shed');
    expect(project.updatedAt).toEqual(tools.clock.now());
    expect(project.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.project_renamed', { old_name: 'Garden shed', new_name: 'Tool shed' }],
    ]);
  });

  it('rehydrates from primitives and its loaded tasks without recording events', () => {
    const original = aProject().withTasks('Buy wood', 'Cut wood').completing(2).build();
    const tasks = original.loadedTasks.map((t) => t.toPrimitives());
    const again = Project.fromPrimitives({ ...original.toPrimitives(), version: 7 }, tasks);
    expect(again.recordedEvents).toEqual([]);
    expect(again.version).toBe(7);
    expect(again.toPrimitives()).toEqual({ ...original.toPrimitives(), version: 7 });
    expect(again.loadedTasks.map((t) => t.toPrimitives())).toEqual(tasks);
  });
});

describe('Project tasks', () => {
  it('numbers tasks 1, 2, 3 and counts them', () => {
    const tools = fixedTools();
    const project = aProject(tools).build();
    const numbers = ['Buy wood', 'Cut wood', 'Paint it'].map(
      (name) => project.addTask(task(name), tools).number,
    );
    expect(numbers).toEqual([1, 2, 3]);
    expect([project.taskCount, project.completedTaskCount, project.incompleteTaskCount]).toEqual([3, 0, 3]);
    expect(project.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.task_added', { number: 1, name: 'Buy wood' }],
      ['projects.task_added', { number: 2, name: 'Cut wood' }],
      ['projects.task_added', { number: 3, name: 'Paint it' }],
    ]);
  });

  it('never reuses a number: a project loaded without its tasks goes on from its counter', () => {
    const tools = fixedTools();
    const stored = aProject(tools).withTasks('Buy wood', 'Cut wood', 'Paint it').completing(1, 2, 3).build();
    const loaded = Project.fromPrimitives(stored.toPrimitives());
    expect(loaded.loadedTasks).toEqual([]);
    expect(loaded.addTask(task('Varnish it'), tools).number).toBe(4);
    expect(loaded.toPrimitives()).toMatchObject({
      next_task_number: 5,
      task_count: 4,
      completed_task_count: 3,
    });
  });

  it('completes a task once: completing again keeps the first completed_at and records nothing', () => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood').build();
    tools.clock.advance(60_000);
    const first = project.completeTask(1, tools);
    tools.clock.advance(60_000);
    const again = project.completeTask(1, tools);
    expect(first.completedAt?.toISOString()).toBe('2026-06-01T10:01:00.000Z');
    expect(again.completedAt).toEqual(first.completedAt);
    expect(project.completedTaskCount).toBe(1);
    expect(project.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.task_completed', { number: 1, completed_at: '2026-06-01T10:01:00.000Z' }],
    ]);
  });

  it('reopens a completed task once: reopening an open task records nothing', () => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood', 'Cut wood').completing(1).build();
    expect(project.reopenTask(1, tools).completedAt).toBeNull();
    project.reopenTask(1, tools);
    project.reopenTask(2, tools);
    expect(project.completedTaskCount).toBe(0);
    expect(project.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.task_reopened', { number: 1 }],
    ]);
  });

  it('renames a task; the same name records nothing', () => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood').build();
    expect(project.renameTask(1, task('Buy oak'), tools).name.value).toBe('Buy oak');
    project.renameTask(1, task('Buy oak'), tools);
    expect(project.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.task_renamed', { number: 1, old_name: 'Buy wood', new_name: 'Buy oak' }],
    ]);
  });

  it.each([0, -1, 3, 1.5, 2 ** 40])('answers task.not_found for task %s of a project with two', (number) => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood', 'Cut wood').build();
    expect(() => project.task(number)).toThrow(TaskNotFoundError);
    expect(() => project.completeTask(number, tools)).toThrow(TaskNotFoundError);
  });

  it('treats a task that exists but was not loaded as a bug, never as "not found"', () => {
    const stored = aProject().withTasks('Buy wood').build();
    const loaded = Project.fromPrimitives(stored.toPrimitives());
    expect(() => loaded.task(1)).toThrow(/not loaded/);
    expect(() => loaded.task(1)).not.toThrow(TaskNotFoundError);
  });

  it('stops handing out numbers when the integer column would overflow', () => {
    const tools = fixedTools();
    const full = Project.fromPrimitives({
      ...aProject(tools).build().toPrimitives(),
      next_task_number: 2_147_483_647,
      task_count: 2_147_483_646,
      completed_task_count: 2_147_483_646,
    });
    expect(() => full.addTask(task('One more'), tools)).toThrow(TaskNumbersExhaustedError);
  });
});

describe('the incomplete-task limit', () => {
  it('refuses a task beyond the limit, changing nothing', () => {
    const tools = fixedTools();
    const project = aProject(tools).withLimit(2).withTasks('Buy wood', 'Cut wood').build();
    expect(() => project.addTask(task('Paint it'), tools)).toThrow(TaskLimitReachedError);
    expect(() => project.addTask(task('Paint it'), tools)).toThrow('at most 2 incomplete tasks');
    expect(project.toPrimitives()).toMatchObject({ next_task_number: 3, task_count: 2 });
    expect(project.pullEvents()).toEqual([]);
  });

  it('counts only incomplete tasks: completing one makes room for another', () => {
    const tools = fixedTools();
    const project = aProject(tools).withLimit(2).withTasks('Buy wood', 'Cut wood').completing(1).build();
    expect(project.addTask(task('Paint it'), tools).number).toBe(3);
  });

  it('refuses to reopen a task beyond the limit', () => {
    const tools = fixedTools();
    const project = aProject(tools).withLimit(1).withTasks('Buy wood', 'Cut wood').completing(1).build();
    expect(() => project.reopenTask(1, tools)).toThrow(TaskLimitReachedError);
    expect(project.task(1).isComplete).toBe(true);
    expect(project.completedTaskCount).toBe(1);
  });

  it('changes and lifts the limit, recording each change', () => {
    const tools = fixedTools();
    const project = aProject(tools).withLimit(2).withTasks('Buy wood').build();
    project.changeIncompleteTaskLimit(IncompleteTaskLimit.of(5), tools);
    project.changeIncompleteTaskLimit(IncompleteTaskLimit.of(5), tools);
    project.changeIncompleteTaskLimit(null, tools);
    project.changeIncompleteTaskLimit(null, tools);
    expect(project.limit).toBeNull();
    expect(project.pullEvents().map((e) => e.payload)).toEqual([
      { max_incomplete_tasks: 5 },
      { max_incomplete_tasks: null },
    ]);
  });

  it('refuses a limit below the incomplete tasks there are now', () => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood', 'Cut wood', 'Paint it').completing(1).build();
    expect(() => project.changeIncompleteTaskLimit(IncompleteTaskLimit.of(1), tools)).toThrow(
      TaskLimitTooLowError,
    );
    project.changeIncompleteTaskLimit(IncompleteTaskLimit.of(2), tools);
    expect(project.limit?.value).toBe(2);
  });
});

describe('archiving, unarchiving and deleting', () => {
  it('refuses to archive a project with incomplete tasks, saying how many', () => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood', 'Cut wood', 'Paint it').completing(2).build();
    expect(() => project.archive(tools)).toThrow(IncompleteTasksError);
    expect(() => project.archive(tools)).toThrow('2 tasks are not complete');
    project.completeTask(1, tools);
    expect(() => project.archive(tools)).toThrow('1 task is not complete');
    expect(project.status).toBe('active');
  });

  it('archives a project whose every task is complete, or that has none', () => {
    const tools = fixedTools();
    const done = aProject(tools).withTasks('Buy wood').completing(1).build();
    const empty = aProject(tools).build();
    done.archive(tools);
    empty.archive(tools);
    expect([done.status, empty.status]).toEqual(['archived', 'archived']);
    expect(done.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.project_archived', { reason: 'requested' }],
    ]);
  });

  it('refuses to archive an archived project', () => {
    const tools = fixedTools();
    const project = aProject(tools).archived().build();
    expect(() => project.archive(tools)).toThrow(ProjectArchivedError);
  });

  it('freezes an archived project: no renaming, no new tasks, no task changes, no new limit', () => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood').completing(1).archived().build();
    expect(() => project.rename(ProjectName.parse('Tool shed'), tools)).toThrow(ProjectArchivedError);
    expect(() => project.addTask(task('Paint it'), tools)).toThrow(ProjectArchivedError);
    expect(() => project.renameTask(1, task('Buy oak'), tools)).toThrow(ProjectArchivedError);
    expect(() => project.reopenTask(1, tools)).toThrow(ProjectArchivedError);
    expect(() => project.changeIncompleteTaskLimit(IncompleteTaskLimit.of(4), tools)).toThrow(
      ProjectArchivedError,
    );
    // Completing a completed task is a no-op, archived or not.
    expect(project.completeTask(1, tools).isComplete).toBe(true);
    expect(project.pullEvents()).toEqual([]);
  });

  it('unarchives only an archived project', () => {
    const tools = fixedTools();
    const active = aProject(tools).build();
    expect(() => active.unarchive(tools)).toThrow(ProjectNotArchivedError);
    const archived = aProject(tools).archived().build();
    archived.unarchive(tools);
    expect(archived.status).toBe('active');
    expect(archived.pullEvents().map((e) => e.name)).toEqual(['projects.project_unarchived']);
  });

  it('deletes only an archived project; a deleted project is gone for every action', () => {
    const tools = fixedTools();
    const active = aProject(tools).build();
    expect(() => active.delete(tools)).toThrow(ProjectNotArchivedError);
    expect(active.isDeleted).toBe(false);
    const project = aProject(tools).archived().build();
    project.delete(tools);
    expect(project.isDeleted).toBe(true);
    expect(project.toPrimitives().deleted_at).toEqual(tools.clock.now());
    expect(project.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.project_deleted', { reason: 'requested' }],
    ]);
    expect(() => project.delete(tools)).toThrow(ProjectNotFoundError);
    expect(() => project.unarchive(tools)).toThrow(ProjectNotFoundError);
    expect(() => project.archive(tools)).toThrow(ProjectNotFoundError);
  });

  it('is archived and deleted when its owner leaves, incomplete tasks and all, once', () => {
    const tools = fixedTools();
    const project = aProject(tools).withTasks('Buy wood', 'Cut wood').completing(1).build();
    project.closeBecauseOwnerLeft(tools);
    project.closeBecauseOwnerLeft(tools);
    expect(project.status).toBe('archived');
    expect(project.isDeleted).toBe(true);
    expect(project.incompleteTaskCount).toBe(1);
    expect(project.pullEvents().map((e) => [e.name, e.payload])).toEqual([
      ['projects.project_archived', { reason: 'owner_deleted' }],
      ['projects.project_deleted', { reason: 'owner_deleted' }],
    ]);
  });

  it('records only the deletion when the departed owner’s project was already archived', () => {
    const tools = fixedTools();
    const project = aProject(tools).archived().build();
    project.closeBecauseOwnerLeft(tools);
    expect(project.pullEvents().map((e) => e.name)).toEqual(['projects.project_deleted']);
  });
});

describe('the example project', () => {
  it('is "My first project" with "Sign up!" completed and two tasks to do, marked as the example', () => {
    const tools = fixedTools();
    const project = exampleProjectFor(GRACE, tools);
    expect(project.isExample).toBe(true);
    expect(project.isOwnedBy(GRACE)).toBe(true);
    expect(project.name.value).toBe(EXAMPLE_PROJECT.name);
    expect(project.loadedTasks.map((t) => [t.number, t.name.value, t.isComplete])).toEqual([
      [1, 'Sign up!', true],
      [2, 'Watch the tutorial', false],
      [3, 'Start using our awesome app', false],
    ]);
    expect(project.pullEvents().map((e) => e.name)).toEqual([
      'projects.project_created',
      'projects.task_added',
      'projects.task_completed',
      'projects.task_added',
      'projects.task_added',
    ]);
  });
});
