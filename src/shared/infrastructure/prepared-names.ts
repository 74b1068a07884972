/**
 * The statement names one connection has prepared, up to `limit` (ADR 0006): a statement whose
 * text varies with its input is prepared while there is room, and sent unnamed after that, so a
 * connection's prepared statements can neither grow without end nor crowd out the lookups. Used
 * by a pooled connection (`preparedIfRoom`, `preparedWrite`) and by a write lane.
 */
export class PreparedNames {
  readonly #names = new Set<string>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** `name` when it is prepared already or there is room for it (it then counts); else undefined. */
  take(name: string): string | undefined {
    if (this.#names.has(name)) return name;
    if (this.#names.size >= this.#limit) return undefined;
    this.#names.add(name);
    return name;
  }
}
