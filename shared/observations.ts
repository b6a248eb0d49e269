/**
 * What one cycle saw, per appliance: the inputs of the findings rules and of the metrics.
 * Produced by the probe (shared/probes) and the SSH reader (shared/asyncos); consumed as data.
 */
import type { ReadResult } from './asyncos/types';
import type { ProbeResult } from './probes/types';

/** One probe of an appliance's cpq_listener. */
export interface ListenerObservation {
  kind: 'listener';
  appliance: string;
  role: 'esa' | 'sma';
  /** When the observation was made, ISO 8601. */
  at: string;
  /**
   * The appliance whose side this probe plays (its outbound cipher list was offered), when the
   * cycle probes one listener once per peer; absent when the probe stands for every peer.
   */
  from?: string;
  probe: ProbeResult;
}

/** One SSH read of an appliance's state and configuration. */
export interface ConfigObservation {
  kind: 'config';
  appliance: string;
  role: 'esa' | 'sma';
  at: string;
  read: ReadResult;
}

export type Observation = ListenerObservation | ConfigObservation;
