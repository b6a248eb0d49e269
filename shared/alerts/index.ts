/** Alerting: the per-finding state machine, its notifiers and the engine a cycle calls. */
export * from './acks';
export * from './console-notifier';
export * from './engine';
export * from './format';
export * from './notifier';
export * from './operator-actions';
export * from './silences';
export * from './sns-notifier';
export * from './state-machine';
