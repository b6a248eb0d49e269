/** Alerting: the per-finding state machine, its stores, its notifiers and the engine a cycle calls. */
export * from './acks';
export * from './console-notifier';
export * from './dynamodb-store';
export * from './engine';
export * from './file-store';
export * from './format';
export * from './notifier';
export * from './operator-store';
export * from './silences';
export * from './sns-notifier';
export * from './state-machine';
export * from './store';
export * from './table';
