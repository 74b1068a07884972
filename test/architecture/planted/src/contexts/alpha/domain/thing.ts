// Planted violations: a domain reaching for node I/O and for another context.
import { readFileSync } from 'node:fs';
import { gadget } from '../../beta/domain/gadget.ts';

export const thing = [readFileSync, gadget];
