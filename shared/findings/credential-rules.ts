/**
 * Credential rules: the monitor's own SSH secrets, judged across every read of the cycle. A
 * secret that cannot be had (a Secrets Manager secret missing, unreadable or unparsable, an unset
 * `passwordEnv`, an unreadable `keyFile`) is one cause on the monitor's side however many
 * appliances use it: one finding per credential source, listing the appliances it left unread
 * (docs/runbook.md#ssh_credentials_unavailable).
 */
import type { Appliance, Inventory } from '../inventory/schema';
import { listOf, summaryLine } from './format';
import { type CredentialSource, credentialFindingId, findingId } from './ids';
import type { ReadFacts } from './read-facts';
import { remediationFor } from './remediation';
import type { Finding, Severity } from './types';

/**
 * The one severity of `credentials_unavailable`, in the read result and in its finding: the
 * monitor is blind on those appliances, but nothing says their mail flow is broken (their
 * listener probes still run), so it pages as a warning (docs/runbook.md#ssh_credentials_unavailable).
 */
export const CREDENTIALS_UNAVAILABLE_SEVERITY = 'warning' satisfies Severity;

/** The subject that `finding.appliance` holds for a monitor-side finding. */
export const MONITOR_SUBJECT = 'monitor';

/** Where an appliance's SSH secret comes from, as the inventory names it; undefined without `ssh`. */
export function credentialSourceOf(a: Appliance): CredentialSource | undefined {
  const c = a.ssh?.credentials;
  if (c === undefined) return undefined;
  if (c.secretId !== undefined) return { kind: 'secret', name: c.secretId };
  if (c.passwordEnv !== undefined) return { kind: 'env', name: c.passwordEnv };
  if (c.keyFile !== undefined) return { kind: 'keyfile', name: c.keyFile };
  return undefined;
}

/** How on-call reads a source: `Secrets Manager secret cpq/esa`, `environment variable X`, `key file k`. */
export function describeSource(s: CredentialSource): string {
  return s.kind === 'secret'
    ? `Secrets Manager secret ${s.name}`
    : s.kind === 'env'
      ? `environment variable ${s.name}`
      : `key file ${s.name}`;
}

/** The short cause for a page's subject line. */
function causeOf(s: CredentialSource): string {
  return s.kind === 'secret'
    ? `SSH secret ${s.name} unavailable`
    : s.kind === 'env'
      ? `env var ${s.name} not set`
      : `key file ${s.name} unusable`;
}

/** Result of the credential rules. */
export interface CredentialRulesResult {
  findings: Finding[];
  checked: string[];
}

/**
 * One finding per credential source that failed for at least one appliance this cycle. A
 * source's id is checked when any appliance using it was read (attempted) this cycle, so the
 * finding opens once, follows its appliance list while it lasts, and recovers once the source
 * works for every appliance read. Reads of context appliances (`context`) are another shard's.
 */
export function credentialRules(
  inv: Inventory,
  reads: readonly ReadFacts[],
  context: ReadonlySet<string> = new Set(),
): CredentialRulesResult {
  const bySource = new Map<string, { source: CredentialSource; reads: ReadFacts[] }>();
  for (const f of reads) {
    if (context.has(f.appliance.name)) continue;
    const source = credentialSourceOf(f.appliance);
    if (source === undefined) continue;
    const id = credentialFindingId('ssh_credentials_unavailable', source);
    const group = bySource.get(id) ?? { source, reads: [] };
    group.reads.push(f);
    bySource.set(id, group);
  }
  const order = new Map(inv.appliances.map((a, i) => [a.name, i]));
  const findings: Finding[] = [];
  const checked: string[] = [];
  for (const [id, { source, reads: group }] of bySource) {
    checked.push(id);
    // Earlier releases raised this check per appliance (`<appliance>/ssh_credentials_unavailable`).
    // Such an id never fires now; it is checked once the appliance got its secret, so an alert
    // of that form left open by an upgrade recovers instead of staying open for good.
    for (const f of group)
      if (f.obs.read.code !== 'credentials_unavailable')
        checked.push(findingId('ssh_credentials_unavailable', f.appliance.name));
    const failed = group
      .filter((f) => f.obs.read.code === 'credentials_unavailable')
      .sort((x, y) => (order.get(x.appliance.name) ?? 0) - (order.get(y.appliance.name) ?? 0));
    if (failed.length === 0) continue;
    const names = failed.map((f) => f.appliance.name);
    const readOk = group.filter((f) => f.obs.read.code !== 'credentials_unavailable');
    const evidence = [
      `${describeSource(source)} could not be used by the monitor; no SSH login was attempted on ${names.length === 1 ? 'this appliance' : `these ${names.length} appliances`}:`,
      ...failed.map((f) => {
        const r = f.obs.read;
        // The read's own status, which the reader sets to this check's one severity.
        return `${f.appliance.name} (ssh ${r.host}:${r.port}) at ${r.startedAt}: ${r.status} ${r.code}: ${r.message}`;
      }),
    ];
    if (readOk.length > 0)
      evidence.push(`the same source worked this cycle for: ${listOf(readOk.map((f) => f.appliance.name))}`);
    findings.push({
      id,
      appliance: MONITOR_SUBJECT,
      check: 'ssh_credentials_unavailable',
      severity: CREDENTIALS_UNAVAILABLE_SEVERITY,
      summary: summaryLine(
        `${MONITOR_SUBJECT}: ${causeOf(source)}; ${names.length} appliance${names.length === 1 ? '' : 's'} not read (${listOf(names, 3)})`,
      ),
      evidence,
      remediation: remediationFor('ssh_credentials_unavailable', {
        appliance: listOf(names),
        role: failed[0]!.appliance.role,
        code: source.kind,
        name: source.name,
      }),
      runbook: 'ssh_credentials_unavailable',
      appliances: names,
    });
  }
  return { findings, checked };
}
