// Planted violation: the shared kernel depending on a context.
import { thing } from '../../contexts/alpha/domain/thing.ts';

export const kernel = thing;
