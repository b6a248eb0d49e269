/** The readable reports of `init` (what was discovered) and `init --check` (the drift). */
import type { Discovery, HostReading } from '../shared/onboarding/discover';
import { type DriftItem, type NotCompared, notComparedLines } from '../shared/onboarding/drift';
import type { ProbeResult } from '../shared/probes/types';
import { printable } from '../shared/text';
import { table } from './output';

function probeLine(p: ProbeResult | null): string {
  if (p === null) return '-';
  const cert = p.tls?.certificate?.fingerprint256;
  return `${p.code}${cert ? ` cert ${cert.slice(0, 23)}…` : ''}${p.banner ? ` banner "${printable(p.banner).slice(0, 60)}"` : ''}`;
}

/** The readable report of an init run. */
export function formatInitReport(
  d: Discovery,
  readings: readonly HostReading[],
  written: string | null,
): string {
  const rows = d.appliances.map((a) => [
    a.name,
    a.role,
    `${a.host}:${a.ssh.port}`,
    a.cpqPort,
    a.cluster ?? '-',
    a.quarantine ? `${a.quarantine.sma}:${a.quarantine.port}` : '-',
    probeLine(readings.find((r) => r.target.host === a.host && r.target.port === a.ssh.port)?.probe ?? null),
  ]);
  const out: string[] = [];
  if (rows.length > 0)
    out.push(table(['name', 'role', 'ssh', 'cpqPort', 'cluster', 'quarantine', 'CPQ probe'], rows));
  if (d.unread.length > 0) {
    out.push('', 'Not read (not in the inventory):');
    for (const u of d.unread) out.push(`  ${u.host}:${u.port}  ${u.code}: ${u.message}`);
  }
  if (d.unresolved.length > 0) {
    out.push('', 'To fill in by hand:');
    for (const u of d.unresolved) out.push(`  ${u.appliance}  ${u.field}: ${u.why}`);
  }
  if (d.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of d.notes) out.push(`  ${n.appliance}: ${n.text}`);
  }
  if (written !== null)
    out.push('', `Inventory written to ${written} (${d.appliances.length} appliance(s)).`);
  return out.join('\n');
}

/**
 * The readable drift: the differences, then what could not be compared. "No drift" only when
 * there is no difference and everything was compared.
 */
export function formatDrift(items: readonly DriftItem[], notCompared: readonly NotCompared[] = []): string {
  const out: string[] = [];
  if (items.length > 0) {
    out.push(
      table(
        ['appliance', 'field', 'severity', 'inventory', 'appliance reports', 'what to do'],
        items.map((i) => [
          i.appliance,
          i.field,
          i.severity === 'ok' ? 'info' : i.severity,
          i.inventory,
          i.seen,
          i.fix,
        ]),
      ),
    );
  } else if (notCompared.length === 0) {
    return 'No drift: the inventory matches what the appliances report.';
  } else {
    out.push('No drift in what could be compared; some of the fleet could not be compared (below).');
  }
  if (notCompared.length > 0) {
    out.push('Not compared (drift there is unknown; exit 3 unless a drift is critical):');
    for (const line of notComparedLines(notCompared)) out.push(`  not compared: ${line}`);
  }
  return out.join('\n');
}
