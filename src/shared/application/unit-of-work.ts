/**
 * One business transaction. `run` opens a transaction, hands the work repositories bound to it,
 * and on success writes the events recorded by every aggregate those repositories loaded or saved
 * to the outbox, then commits; on any error it rolls everything back (events included).
 *
 * A unit of work is made per command by a factory (`UnitOfWorkFactory`), never shared: a shared one
 * mixes up the aggregates, and so the events, of concurrent requests.
 */
export interface UnitOfWork<Repositories> {
  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}

export type UnitOfWorkFactory<Repositories> = () => UnitOfWork<Repositories>;
