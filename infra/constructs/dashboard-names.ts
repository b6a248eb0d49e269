/**
 * The names the dashboard reads: fleet metric names the cycles emit, and the fields of the log
 * records its Logs Insights queries filter on.
 */
import type { FleetMetricName } from '../../shared/metrics/datum';

/** Fleet metric names the cycles emit (docs/metrics.md): dimensions `Role`, `Cycle`, `Severity` only. */
export const FLEET_METRICS = {
  listenersDown: 'ListenersDown',
  anonymousTls: 'ListenersAnonymousTls',
  certificatesExpiring: 'CertificatesExpiring',
  certificateDaysMin: 'CertificateDaysRemainingMin',
  handshakeLatency: 'HandshakeLatency',
  sshReadFailures: 'SshReadFailures',
  systemsNotOnline: 'SystemsNotOnline',
  queueBacklogs: 'QueueBacklogs',
  queueMax: 'QueueActiveRecipientsMax',
  pathsDown: 'PathsDown',
  findingsOpen: 'FindingsOpen',
  pagesSent: 'PagesSent',
  pagesFailed: 'PagesFailed',
} as const satisfies Record<string, FleetMetricName>;

/** The text the drill-down variable replaces in the dashboard: an appliance name. */
export const APPLIANCE_PATTERN = 'APPLIANCE_NAME';
/** The `record` field of the per-appliance log records, and the `msg` of a shard's summary line. */
export const APPLIANCE_RECORD = 'appliance';
export const SHARD_SUMMARY_MSG = 'cycle done';
