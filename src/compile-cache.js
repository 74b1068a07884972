// Preloaded by `npm start` and `npm run cli` (node --import): turns on Node's compile cache before
// the first TypeScript file loads. The cache keeps each module's compiled code and the JavaScript
// Node stripped from its TypeScript, keyed by content (NODE_COMPILE_CACHE, else the system's
// temporary directory). Enabled here, a warm restart never loads the type stripper at all; enabled
// from main.ts, main.ts itself would need it (about 100 ms of a 0.9 s start). Plain JavaScript on
// purpose: a .ts preload would load the stripper to run.
import { enableCompileCache } from 'node:module';

enableCompileCache();
