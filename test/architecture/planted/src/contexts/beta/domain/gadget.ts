export const gadget = 'beta';
