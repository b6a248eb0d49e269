/** Metrics: observations → data (from-observations), and the sinks that ship them. */
export * from './cloudwatch-sink';
export * from './datum';
export * from './emf-sink';
export * from './from-observations';
export * from './sink';
