import { describe, expect, it } from 'vitest';
import { ADA, GRACE, inMemoryProjects } from '../../../../test/support/projects.ts';
import { Id } from '../../../shared/domain/id.ts';
import {
  IncompleteTasksError,
  InvalidProjectNameError,
  InvalidTaskLimitError,
  InvalidTaskNameError,
  OwnerDepartedError,
  ProjectArchivedError,
  ProjectNotArchivedError,
  ProjectNotFoundError,
  TaskLimitReachedError,
  TaskLimitTooLowError,
  TaskNotFoundError,
} from '../domain/errors.ts';
import { closeProjectsOfDepartedMember } from './close-projects-of-departed-member.ts';
import { createExampleProject } from './create-example-project.ts';

type Context = ReturnType<typeof inMemoryProjects>;

async function aProjectOf(context: Context, owner = ADA, maxIncompleteTasks: number | null = null) {
  const view = await context.bus.execute({
    type: 'projects.create_project',
    ownerId: owner,
    name: 'Garden shed',
    maxIncompleteTasks,
  });
  return Id.of(view.id);
}

async function addTasks(context: Context, projectId: Id, ...names: string[]) {
  const numbers: number[] = [];
  for (const name of names) {
    numbers.push(
      (await context.bus.execute({ type: 'projects.add_task', ownerId: ADA, projectId, name })).number,
    );
  }
  return numbers;
}

describe('projects use cases (through the bus, on in-memory fakes)', () => {
  it('creates a project for its owner and stores projects.project_created in the outbox', async () => {
    const context = inMemoryProjects();
    const view = await context.bus.execute({
      type: 'projects.create_project',
      ownerId: ADA,
      name: '  Garden shed ',
      maxIncompleteTasks: 3,
    });
    expect(view).toEqual({
      id: expect.stringMatching(/^\d+$/),
      name: 'Garden shed',
      status: 'active',
      max_incomplete_tasks: 3,
      task_count: 0,
      completed_task_count: 0,
      created_at: '2026-06-01T10:00:00.000Z',
      updated_at: '2026-06-01T10:00:00.000Z',
    });
    expect(context.projects.rows.get(view.id)?.owner_id).toBe(ADA);
    expect(context.eventNames()).toEqual(['projects.project_created']);
  });

  it.each([
    ['a short name', { name: 'abc' }, InvalidProjectNameError],
    ['a blank name', { name: '        ' }, InvalidProjectNameError],
    ['a limit of 0', { name: 'Garden shed', maxIncompleteTasks: 0 }, InvalidTaskLimitError],
    ['a limit of 1001', { name: 'Garden shed', maxIncompleteTasks: 1001 }, InvalidTaskLimitError],
  ])('refuses %s and stores nothing', async (_label, input, error) => {
    const context = inMemoryProjects();
    await expect(
      context.bus.execute({ type: 'projects.create_project', ownerId: ADA, ...input }),
    ).rejects.toThrow(error);
    expect(context.projects.rows.size).toBe(0);
    expect(context.outbox).toEqual([]);
  });

  it('adds tasks numbered 1, 2, 3 and keeps the counters in step', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context);
    expect(await addTasks(context, projectId, 'Buy wood', 'Cut wood', 'Paint it')).toEqual([1, 2, 3]);
    await context.bus.execute({ type: 'projects.complete_task', ownerId: ADA, projectId, number: 2 });
    expect(context.projects.rows.get(projectId.toString())).toMatchObject({
      next_task_number: 4,
      task_count: 3,
      completed_task_count: 1,
    });
    expect([...context.tasks.rows.keys()]).toEqual([`${projectId}:1`, `${projectId}:2`, `${projectId}:3`]);
  });

  it('completes and reopens idempotently, keeping the first completed_at', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context);
    await addTasks(context, projectId, 'Buy wood');
    const complete = { type: 'projects.complete_task' as const, ownerId: ADA, projectId, number: 1 };
    const first = await context.bus.execute(complete);
    context.clock.advance(60_000);
    const again = await context.bus.execute(complete);
    expect(again).toEqual(first);
    expect(first.completed_at).toBe('2026-06-01T10:00:00.000Z');
    const reopen = { type: 'projects.reopen_task' as const, ownerId: ADA, projectId, number: 1 };
    expect((await context.bus.execute(reopen)).completed_at).toBeNull();
    expect((await context.bus.execute(reopen)).completed_at).toBeNull();
    expect(context.eventNames().filter((name) => name.startsWith('projects.task_'))).toEqual([
      'projects.task_added',
      'projects.task_completed',
      'projects.task_reopened',
    ]);
  });

  it('writes nothing for an idempotent repeat: the stored version stays', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context);
    await addTasks(context, projectId, 'Buy wood');
    await context.bus.execute({ type: 'projects.complete_task', ownerId: ADA, projectId, number: 1 });
    const version = context.projects.rows.get(projectId.toString())?.version;
    await context.bus.execute({ type: 'projects.complete_task', ownerId: ADA, projectId, number: 1 });
    expect(context.projects.rows.get(projectId.toString())?.version).toBe(version);
  });

  it('refuses a task beyond the limit and one reopened beyond it, storing nothing', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context, ADA, 1);
    await addTasks(context, projectId, 'Buy wood');
    const before = context.outbox.length;
    await expect(addTasks(context, projectId, 'Cut wood')).rejects.toThrow(TaskLimitReachedError);
    await context.bus.execute({ type: 'projects.complete_task', ownerId: ADA, projectId, number: 1 });
    await addTasks(context, projectId, 'Cut wood');
    await expect(
      context.bus.execute({ type: 'projects.reopen_task', ownerId: ADA, projectId, number: 1 }),
    ).rejects.toThrow(TaskLimitReachedError);
    expect(context.projects.rows.get(projectId.toString())).toMatchObject({
      task_count: 2,
      completed_task_count: 1,
    });
    expect(context.outbox.length).toBe(before + 2);
  });

  it('renames a project and changes its limit in one command; null lifts the limit', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context, ADA, 2);
    const view = await context.bus.execute({
      type: 'projects.update_project',
      ownerId: ADA,
      projectId,
      name: 'Tool shed',
      maxIncompleteTasks: null,
    });
    expect(view).toMatchObject({ name: 'Tool shed', max_incomplete_tasks: null });
    expect(context.eventNames().slice(1)).toEqual([
      'projects.project_renamed',
      'projects.incomplete_task_limit_changed',
    ]);
  });

  it('applies neither change of an update when one is refused', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context);
    await addTasks(context, projectId, 'Buy wood', 'Cut wood');
    const before = context.outbox.length;
    await expect(
      context.bus.execute({
        type: 'projects.update_project',
        ownerId: ADA,
        projectId,
        name: 'Tool shed',
        maxIncompleteTasks: 1,
      }),
    ).rejects.toThrow(TaskLimitTooLowError);
    expect(context.projects.rows.get(projectId.toString())).toMatchObject({
      name: 'Garden shed',
      max_incomplete_tasks: null,
    });
    expect(context.outbox.length).toBe(before);
  });

  it('archives only when every task is complete, then unarchives and deletes by the rules', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context);
    await addTasks(context, projectId, 'Buy wood', 'Cut wood');
    const ids = { ownerId: ADA, projectId };
    await expect(context.bus.execute({ type: 'projects.archive_project', ...ids })).rejects.toThrow(
      IncompleteTasksError,
    );
    await expect(context.bus.execute({ type: 'projects.delete_project', ...ids })).rejects.toThrow(
      ProjectNotArchivedError,
    );
    for (const number of [1, 2])
      await context.bus.execute({ type: 'projects.complete_task', ...ids, number });
    expect((await context.bus.execute({ type: 'projects.archive_project', ...ids })).status).toBe('archived');
    await expect(addTasks(context, projectId, 'Paint it')).rejects.toThrow(ProjectArchivedError);
    await expect(
      context.bus.execute({ type: 'projects.update_project', ...ids, name: 'Tool shed' }),
    ).rejects.toThrow(ProjectArchivedError);
    expect((await context.bus.execute({ type: 'projects.unarchive_project', ...ids })).status).toBe('active');
    await expect(context.bus.execute({ type: 'projects.unarchive_project', ...ids })).rejects.toThrow(
      ProjectNotArchivedError,
    );
    await context.bus.execute({ type: 'projects.archive_project', ...ids });
    await context.bus.execute({ type: 'projects.delete_project', ...ids });
    expect(context.projects.rows.get(projectId.toString())?.deleted_at).not.toBeNull();
    await expect(context.bus.execute({ type: 'projects.unarchive_project', ...ids })).rejects.toThrow(
      ProjectNotFoundError,
    );
  });

  it('answers project.not_found for someone else’s project, on every command, changing nothing', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context, ADA);
    await addTasks(context, projectId, 'Buy wood');
    const before = context.outbox.length;
    const asGrace = { ownerId: GRACE, projectId };
    const attempts = [
      context.bus.execute({ type: 'projects.update_project', ...asGrace, name: 'Mine now' }),
      context.bus.execute({ type: 'projects.archive_project', ...asGrace }),
      context.bus.execute({ type: 'projects.unarchive_project', ...asGrace }),
      context.bus.execute({ type: 'projects.delete_project', ...asGrace }),
      context.bus.execute({ type: 'projects.add_task', ...asGrace, name: 'Sneak in' }),
      context.bus.execute({ type: 'projects.rename_task', ...asGrace, number: 1, name: 'Sneak in' }),
      context.bus.execute({ type: 'projects.complete_task', ...asGrace, number: 1 }),
      context.bus.execute({ type: 'projects.reopen_task', ...asGrace, number: 1 }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toThrow(ProjectNotFoundError);
    expect(context.outbox.length).toBe(before);
  });

  it('answers task.not_found for a number the project never handed out', async () => {
    const context = inMemoryProjects();
    const projectId = await aProjectOf(context);
    await addTasks(context, projectId, 'Buy wood');
    await expect(
      context.bus.execute({ type: 'projects.complete_task', ownerId: ADA, projectId, number: 2 }),
    ).rejects.toThrow(TaskNotFoundError);
    await expect(
      context.bus.execute({ type: 'projects.rename_task', ownerId: ADA, projectId, number: 1, name: 'x' }),
    ).rejects.toThrow(InvalidTaskNameError);
  });
});

describe('the reactions to accounts events (on in-memory fakes)', () => {
  it('gives a new member their example project once, however often the sign-up is delivered', async () => {
    const context = inMemoryProjects();
    expect(
      await createExampleProject({ type: 'projects.create_example_project', ownerId: GRACE }, context.deps),
    ).toEqual({
      created: true,
    });
    const eventsAfterFirst = context.outbox.length;
    expect(
      await createExampleProject({ type: 'projects.create_example_project', ownerId: GRACE }, context.deps),
    ).toEqual({
      created: false,
    });
    const stored = [...context.projects.rows.values()];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      name: 'My first project',
      is_example: true,
      task_count: 3,
      completed_task_count: 1,
    });
    expect(context.tasks.rows.size).toBe(3);
    expect(context.outbox.length).toBe(eventsAfterFirst);
  });

  it('does not recreate the example project after its owner deleted it', async () => {
    const context = inMemoryProjects();
    await createExampleProject({ type: 'projects.create_example_project', ownerId: GRACE }, context.deps);
    const [id] = [...context.projects.rows.keys()];
    const ids = { ownerId: GRACE, projectId: Id.of(id!) };
    for (const number of [2, 3])
      await context.bus.execute({ type: 'projects.complete_task', ...ids, number });
    await context.bus.execute({ type: 'projects.archive_project', ...ids });
    await context.bus.execute({ type: 'projects.delete_project', ...ids });
    expect(
      (await createExampleProject({ type: 'projects.create_example_project', ownerId: GRACE }, context.deps))
        .created,
    ).toBe(false);
  });

  it('archives and deletes every project of a departed member, leaving others alone; again is a no-op', async () => {
    const context = inMemoryProjects();
    const adas = [await aProjectOf(context, ADA), await aProjectOf(context, ADA)];
    await addTasks(context, adas[0]!, 'Buy wood');
    const graces = await aProjectOf(context, GRACE);
    const close = { type: 'projects.close_projects_of_departed_member' as const, ownerId: ADA };
    expect(await closeProjectsOfDepartedMember(close, context.deps)).toEqual({ closed: 2 });
    expect(await closeProjectsOfDepartedMember(close, context.deps)).toEqual({ closed: 0 });
    for (const id of adas) {
      expect(context.projects.rows.get(id.toString())).toMatchObject({
        status: 'archived',
        deleted_at: expect.any(Date),
      });
    }
    expect(context.projects.rows.get(graces.toString())).toMatchObject({
      status: 'active',
      deleted_at: null,
    });
  });

  it('gives a departed member no new project, nor an example one, storing nothing; others go on', async () => {
    const context = inMemoryProjects();
    await aProjectOf(context, ADA);
    const close = { type: 'projects.close_projects_of_departed_member' as const, ownerId: ADA };
    await closeProjectsOfDepartedMember(close, context.deps);
    const rows = context.projects.rows.size;
    const events = context.outbox.length;

    await expect(aProjectOf(context, ADA)).rejects.toThrow(OwnerDepartedError);
    expect(
      await createExampleProject({ type: 'projects.create_example_project', ownerId: ADA }, context.deps),
    ).toEqual({ created: false });
    expect(context.projects.rows.size).toBe(rows);
    expect(context.outbox.length).toBe(events);
    expect(context.projects.rows.get((await aProjectOf(context, GRACE)).toString())?.owner_id).toBe(GRACE);
  });

  it('keeps refusing a departed member after the deletion is delivered again, a while later', async () => {
    const context = inMemoryProjects();
    const close = { type: 'projects.close_projects_of_departed_member' as const, ownerId: ADA };
    await closeProjectsOfDepartedMember(close, context.deps);
    context.clock.advance(60_000);
    expect(await closeProjectsOfDepartedMember(close, context.deps)).toEqual({ closed: 0 });
    await expect(aProjectOf(context, ADA)).rejects.toThrow(OwnerDepartedError);
  });
});
