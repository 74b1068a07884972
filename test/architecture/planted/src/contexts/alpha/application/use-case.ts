// Planted violation: application importing infrastructure.
import { store } from '../infrastructure/store.ts';

export const useCase = store;
