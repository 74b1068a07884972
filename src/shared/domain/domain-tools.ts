import type { Clock } from './clock.ts';
import type { IdGenerator } from './id.ts';

/** What aggregate methods need from the outside world to record what happened: time and new ids. */
export interface DomainTools {
  readonly clock: Clock;
  readonly ids: IdGenerator;
}
