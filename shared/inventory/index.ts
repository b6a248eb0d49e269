export * from './limits';
export * from './load';
export * from './schema';
export * from './settings';
export * from './topology';
