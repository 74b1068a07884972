/**
 * How a request failed for want of the database, when it did: what the HTTP layer answers (503,
 * and whether repeating is safe) depends on it, and infrastructure tells it (`databaseOutage`).
 * - `unreached`: it never reached the server (no connection could be opened in time, the server
 *   refused the session while starting up or full), so nothing of it happened;
 * - `busy`: no pooled connection became free within the connect timeout (every one busy, or
 *   still connecting to a server that does not answer); nothing was sent either;
 * - `lost`: the connection broke, or stopped answering, while it ran, so whether it took effect
 *   is unknown;
 * - `slow`: the server stopped a statement that ran past its time limit
 *   (DATABASE_STATEMENT_TIMEOUT_MS), or an administrator cancelled it, so nothing of it took
 *   effect (a transaction it was in is rolled back whole).
 */
export type Outage = 'unreached' | 'busy' | 'lost' | 'slow';
