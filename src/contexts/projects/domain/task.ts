import { TaskName } from './task-name.ts';

/** What a task is made of, as storage keeps it (its project is implied). */
export interface TaskPrimitives {
  readonly number: number;
  readonly name: string;
  readonly completed_at: Date | null;
  readonly created_at: Date;
}

/**
 * A task: an entity inside the Project aggregate, known by its number within the project.
 * Instances are immutable snapshots: only the Project changes a task, by replacing it, so a task
 * handed out can never be used to go around the project's rules.
 */
export class Task {
  /**
   * The highest task number: storage keeps numbers, and the project's "next number" counter, in
   * `integer` columns, so the counter one past the last number must fit too.
   */
  static readonly MAX_NUMBER = 2_147_483_646;

  readonly number: number;
  readonly name: TaskName;
  readonly completedAt: Date | null;
  readonly createdAt: Date;

  private constructor(state: { number: number; name: TaskName; completedAt: Date | null; createdAt: Date }) {
    this.number = state.number;
    this.name = state.name;
    this.completedAt = state.completedAt;
    this.createdAt = state.createdAt;
  }

  static open(number: number, name: TaskName, at: Date): Task {
    return new Task({ number, name, completedAt: null, createdAt: at });
  }

  static fromPrimitives(state: TaskPrimitives): Task {
    return new Task({
      number: state.number,
      name: TaskName.parse(state.name),
      completedAt: state.completed_at,
      createdAt: state.created_at,
    });
  }

  get isComplete(): boolean {
    return this.completedAt !== null;
  }

  renamed(name: TaskName): Task {
    return new Task({ ...this, name });
  }

  completed(at: Date): Task {
    return new Task({ ...this, completedAt: at });
  }

  reopened(): Task {
    return new Task({ ...this, completedAt: null });
  }

  toPrimitives(): TaskPrimitives {
    return {
      number: this.number,
      name: this.name.value,
      completed_at: this.completedAt,
      created_at: this.createdAt,
    };
  }
}
