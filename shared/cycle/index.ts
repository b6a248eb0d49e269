export * from './ca-files';
export * from './credentials';
export * from './learn';
export * from './plan';
export * from './run';
export * from './shard';
export * from './work';
