/**
 * Routes every command to exactly one handler. Contexts declare their commands by augmenting
 * `CommandRegistry`, so `execute` is typed end to end:
 *
 *   declare module '../../../shared/application/message-bus.ts' {
 *     interface CommandRegistry { 'accounts.register_member': { command: RegisterMember; result: MemberView } }
 *   }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each context through declaration merging
export interface CommandRegistry {}

export type CommandType = keyof CommandRegistry & string;
export type CommandOf<T extends CommandType> = CommandRegistry[T] extends { command: infer C } ? C : never;
export type ResultOf<T extends CommandType> = CommandRegistry[T] extends { result: infer R } ? R : never;
export type CommandHandler<T extends CommandType> = (command: CommandOf<T>) => Promise<ResultOf<T>>;
/** A context's handlers: one for each of its command types, checked by the compiler. */
export type CommandHandlers<T extends CommandType> = { readonly [K in T]: CommandHandler<K> };

export interface Command<T extends string = string> {
  readonly type: T;
}

export class MessageBus {
  readonly #handlers = new Map<string, (command: never) => Promise<unknown>>();

  /** Registers a context's handlers; a second handler for one command is a start-up error. */
  register<T extends CommandType>(handlers: CommandHandlers<T>): void {
    for (const [type, handler] of Object.entries(handlers) as [string, (c: never) => Promise<unknown>][]) {
      if (this.#handlers.has(type))
        throw new Error(`Command "${type}" has two handlers; it must have exactly one`);
      this.#handlers.set(type, handler);
    }
  }

  /** Start-up check that every declared command has its handler. */
  assertHandles(types: readonly string[]): void {
    const missing = types.filter((type) => !this.#handlers.has(type));
    if (missing.length > 0) throw new Error(`No handler registered for command(s): ${missing.join(', ')}`);
  }

  execute<T extends CommandType>(command: CommandOf<T> & Command<T>): Promise<ResultOf<T>> {
    const handler = this.#handlers.get(command.type);
    if (handler === undefined) throw new Error(`No handler registered for command "${command.type}"`);
    return handler(command as never) as Promise<ResultOf<T>>;
  }
}
