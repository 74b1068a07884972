import { CompiledQuery } from 'kysely';

/** A parameter of a statement: its name and its value (undefined: the statement leaves it out). */
export type StatementParameter = readonly [name: string, value: unknown];

/**
 * Statements compiled once per shape, bound to new values on each call. For queries whose text
 * depends only on which filters are present (a list with or without a status, a cursor, …):
 * building and compiling them with Kysely showed in the Node thread's profile of a list (about
 * 3 % of it), more than the rows they answer.
 *
 * `build` writes each parameter as `p(name)`; the first call of a shape checks that the compiled
 * statement takes exactly the named parameters, in their order, so a clause added or moved in
 * `build` without its parameter (or the reverse) fails at once instead of binding a value to the
 * wrong place. A parameter whose value is undefined is left out, and `build` must leave its clause
 * out too; the shape must say which ones are present.
 */
export class StatementsByShape {
  readonly #byShape = new Map<string, CompiledQuery<unknown>>();
  readonly #limit: number;

  /** `limit`: how many shapes it keeps; a shape first seen after that is compiled on every call. */
  constructor({ limit = Number.POSITIVE_INFINITY }: { limit?: number } = {}) {
    this.#limit = limit;
  }

  bind<R>(
    shape: string,
    parameters: readonly StatementParameter[],
    build: (p: (name: string) => string) => CompiledQuery<R>,
  ): CompiledQuery<R> {
    const present = parameters.filter(([, value]) => value !== undefined);
    let compiled = this.#byShape.get(shape) as CompiledQuery<R> | undefined;
    if (compiled === undefined) {
      compiled = build(placeholder);
      const expected = present.map(([name]) => placeholder(name));
      if (compiled.parameters.join() !== expected.join())
        throw new Error(
          `the ${shape} statement takes (${compiled.parameters.join()}), not (${expected.join()})`,
        );
      this.#keep(shape, compiled);
    }
    return { ...compiled, parameters: present.map(([, value]) => value) };
  }

  /**
   * For a statement whose values have no names, but whose shape says where each goes (a plain
   * INSERT's rows: `plainInsert`): `compile` makes it from the values themselves, and the text is
   * kept only when the compiled statement binds exactly `values`, in that order (else that shape is
   * compiled on every call, correct but not cheaper). Later calls only bind. Only the text is
   * kept: the compiled query's operation tree holds the first call's values (a password's hash, a
   * token's), which must not stay in memory for the process's lifetime.
   */
  bindInOrder<R>(
    shape: string,
    values: readonly unknown[],
    compile: () => CompiledQuery<R>,
  ): CompiledQuery<R> {
    const kept = this.#byShape.get(shape) as CompiledQuery<R> | undefined;
    if (kept !== undefined) return { ...kept, parameters: values };
    const compiled = compile();
    const bindsValues =
      compiled.parameters.length === values.length &&
      compiled.parameters.every((value, i) => value === values[i]);
    if (bindsValues) this.#keep(shape, CompiledQuery.raw(compiled.sql));
    return compiled;
  }

  #keep(shape: string, compiled: CompiledQuery<unknown>): void {
    if (this.#byShape.size < this.#limit) this.#byShape.set(shape, compiled);
  }
}

/** What `build` compiles in place of a parameter, to find it again among the statement's. */
const placeholder = (name: string) => `<${name}>`;
