/** Metrics: observations → data and appliance records, and the EMF sink that ships them. */
export * from './datum';
export * from './emf-sink';
export * from './from-observations';
export * from './records';
export * from './sink';
