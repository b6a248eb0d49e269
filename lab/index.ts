/** The lab: simulated CPQ listeners and their certificates on loopback (whole appliances: world.ts). */
export * from './certs';
export * from './listener';
export * from './listener-faults';
