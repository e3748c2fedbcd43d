export * from './errors';
export * from './passes';
