export const store = 'alpha';
