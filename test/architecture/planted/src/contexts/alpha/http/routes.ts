// Planted violation: a route wiring a concrete adapter.
import { store } from '../infrastructure/store.ts';

export const routes = store;
