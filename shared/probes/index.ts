/** The CPQ listener probe: one listener ({@link probeListener}) or many ({@link probeMany}). */
export * from './hints';
export * from './options';
export * from './probe';
export * from './probe-many';
export * from './smtp-reply';
export type * from './types';
