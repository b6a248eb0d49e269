/** Two cycle-memory parts, as a probe cycle and an SSH cycle save them. */
import type { CyclePart } from '../../../../shared/state/memory/store';

export const PROBE_PART: CyclePart = {
  findings: {
    listeners: { sma1: { code: 'ok', at: '2026-01-01T00:00:00.000Z' } } as never,
  },
  savedAt: '2026-01-01T00:00:05.000Z',
};
export const SSH_PART: CyclePart = {
  findings: {
    queues: { 'esa1/the.cpq.host': [{ at: '2026-01-01T00:00:00.000Z', active: 12 }] } as never,
    logs: {},
  },
  outboundCiphers: { esa1: 'HIGH:MEDIUM:-aNULL', sma1: 'HIGH' },
  savedAt: '2026-01-01T00:00:06.000Z',
};
