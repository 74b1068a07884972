import { type Static, Type } from 'typebox';
import { IdString, ListQuery, Timestamp } from '../../../shared/http/schemas.ts';
import { IncompleteTaskLimit } from '../domain/incomplete-task-limit.ts';
import { ProjectName } from '../domain/project-name.ts';
import { TaskName } from '../domain/task-name.ts';

/** The highest task number a path may name: the `integer` column's maximum. */
const MAX_TASK_NUMBER_PARAM = 2_147_483_647;

const ProjectNameField = Type.String({
  minLength: ProjectName.MIN_LENGTH,
  maxLength: ProjectName.MAX_LENGTH,
  description: '4-32 characters; surrounding spaces are trimmed and must leave at least 4',
  examples: ['Garden shed'],
});
const TaskNameField = Type.String({
  minLength: TaskName.MIN_LENGTH,
  maxLength: TaskName.MAX_LENGTH,
  description: '4-32 characters; surrounding spaces are trimmed and must leave at least 4',
  examples: ['Buy wood'],
});
const LimitField = Type.Integer({
  minimum: 1,
  maximum: IncompleteTaskLimit.MAX,
  description: `How many tasks may be incomplete at once, 1-${IncompleteTaskLimit.MAX}`,
  examples: [5],
});

export const ProjectSchema = Type.Object(
  {
    id: IdString,
    name: Type.String({ examples: ['Garden shed'] }),
    status: Type.Union([Type.Literal('active'), Type.Literal('archived')], { examples: ['active'] }),
    max_incomplete_tasks: Type.Union([Type.Integer(), Type.Null()], {
      description: 'null: no limit',
      examples: [5],
    }),
    task_count: Type.Integer({ examples: [3] }),
    completed_task_count: Type.Integer({ examples: [1] }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Project', description: 'A project of the signed-in member, with its task counts' },
);

export const TaskSchema = Type.Object(
  {
    number: Type.Integer({
      description: 'Numbered 1, 2, 3… within its project, never reused',
      examples: [1],
    }),
    name: Type.String({ examples: ['Buy wood'] }),
    completed_at: Type.Union([Timestamp, Type.Null()], { description: 'null: not completed' }),
  },
  { $id: 'Task', description: 'A task of a project' },
);

export const ProjectListQuery = Type.Object({
  ...ListQuery.properties,
  status: Type.Optional(
    Type.Union([Type.Literal('active'), Type.Literal('archived')], {
      description: 'Only projects in this status',
    }),
  ),
});
export type ProjectListQuery = Static<typeof ProjectListQuery>;

export const TaskListQuery = Type.Object({
  ...ListQuery.properties,
  completed: Type.Optional(
    Type.Boolean({ description: 'true: only completed tasks; false: only open ones' }),
  ),
});
export type TaskListQuery = Static<typeof TaskListQuery>;

export const TaskParams = Type.Object({
  id: IdString,
  number: Type.Integer({
    minimum: 1,
    maximum: MAX_TASK_NUMBER_PARAM,
    description: 'The task number',
    examples: [1],
  }),
});
export type TaskParams = Static<typeof TaskParams>;

export const CreateProjectBody = Type.Object(
  { name: ProjectNameField, max_incomplete_tasks: Type.Optional(Type.Union([LimitField, Type.Null()])) },
  { additionalProperties: false, examples: [{ name: 'Garden shed', max_incomplete_tasks: 5 }] },
);
export type CreateProjectBody = Static<typeof CreateProjectBody>;

export const UpdateProjectBody = Type.Object(
  {
    name: Type.Optional(ProjectNameField),
    max_incomplete_tasks: Type.Optional(
      Type.Union([LimitField, Type.Null()], { description: 'null lifts the limit' }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ name: 'Tool shed' }, { max_incomplete_tasks: null }],
  },
);
export type UpdateProjectBody = Static<typeof UpdateProjectBody>;

export const TaskBody = Type.Object(
  { name: TaskNameField },
  { additionalProperties: false, examples: [{ name: 'Buy wood' }] },
);
export type TaskBody = Static<typeof TaskBody>;
