/**
 * The one base of every rule the domain refuses. `code` is a stable, namespaced string
 * (`member.email_taken`) that clients may rely on; the HTTP layer maps each code to a status
 * through a table typed `Record<Code, number>`, so a new code without a status does not compile.
 */
export abstract class DomainError<Code extends string = string> extends Error {
  abstract readonly code: Code;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Codes every context can raise without defining them again. */
export type SharedErrorCode = 'concurrency.conflict' | 'request.invalid_cursor';

/** Someone else changed the aggregate between our load and our save (optimistic version check). */
export class ConcurrencyError extends DomainError<'concurrency.conflict'> {
  readonly code = 'concurrency.conflict' as const;

  constructor(aggregate: string, id: string) {
    super(`The ${aggregate} ${id} was changed by someone else; reload it and try again`);
  }
}
