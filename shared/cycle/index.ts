export * from './credentials';
export * from './memory';
export * from './plan';
export * from './run';
