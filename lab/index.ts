/** The lab: simulated CPQ listeners (and, in later issues, simulated appliances) on loopback. */
export * from './certs';
export * from './listener';
