/**
 * What one cycle hands to the next: the findings' memory (queue samples, log cursors, the last
 * probe outcome) and what the SSH reads learned that the probes use (each appliance's outbound
 * cipher list). The probe and SSH cycles run on their own schedules and may overlap, so each
 * writes only its own part, under its own key, and reads both.
 */
import type { IntermittentMemory } from '../../alerts/intermittent';
import type { CallOptions } from '../../aws/client-config';
import { CpqMonitorError } from '../../errors';
import type { FindingsMemory } from '../../findings/types';
import type { TlsVersion } from '../../tls/versions';

/** The memory one kind of cycle owns. */
export interface CyclePart {
  /** Findings memory parts this cycle kind wrote (a probe cycle: `listeners`; an SSH cycle: `queues`, `logs`). */
  findings: Partial<Omit<FindingsMemory, 'version'>>;
  /** Outbound cipher lists read over SSH, by appliance (SSH cycle). */
  outboundCiphers?: Record<string, string>;
  /** TLS versions their outbound methods enable, by appliance (SSH cycle). */
  outboundVersions?: Record<string, { minVersion: TlsVersion; maxVersion: TlsVersion }>;
  /** The intermittent rule's windows of the checks this cycle kind evaluates, by finding id. */
  intermittent?: IntermittentMemory;
  savedAt: string;
}

/** Memory could not be read or written. A cycle goes on without it (first-cycle behaviour) and says so. */
export class MemoryStoreError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('memory_store_failed', message, options);
  }
}

/** Persistent per-key memory of cycles. Storage failures throw MemoryStoreError. */
export interface MemoryStore {
  /** The part saved under `key`, read consistently; undefined when none was saved. */
  load(key: string, options?: CallOptions): Promise<CyclePart | undefined>;
  /** Replaces the part under `key` (last writer wins: a key belongs to one cycle kind and shard). */
  save(key: string, part: CyclePart, options?: CallOptions): Promise<void>;
}
