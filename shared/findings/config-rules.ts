/**
 * Config rules: one appliance's SSH read → findings about its session, status, queues, cipher
 * list and mail_logs (the mail_logs rules are in ./log-rules.ts). A session that failed raises only its SSH finding; the rules that need
 * command output are then not evaluated at all (their ids stay out of `checked`).
 */
import type { ReadCode, TophostsRow } from '../asyncos/types';
import type { Appliance, Inventory } from '../inventory/schema';
import { queuesFor } from '../inventory/settings';
import type { ListenerObservation } from '../observations';
import { cipherListAllowsAnonymous } from '../tls/ciphers';
import { Collector } from './collector';
import { listOf, makeFinding, rawLinesWith } from './format';
import { logRules } from './log-rules';
import { fromOutboundTls } from './outbound-tls';
import type { ReadFacts } from './read-facts';
import type { CheckName, Finding, LogCursor, QueueSample } from './types';

/**
 * Every session code of the reader → the SSH check it raises (null: none) and the SSH checks it
 * proves were evaluated (a session that never connected says nothing about the host key or the
 * credentials). `command_timeout`, `unexpected_output` and `unexpected_prompt` keep the commands
 * that did complete;
 * the commands that did not raise `ssh_read_incomplete` (from the incomplete-read rule).
 * `credentials_unavailable` raises nothing here: the credential rules group it by source.
 */
export const READ_CODE_DECISIONS: Record<ReadCode, { fires: CheckName | null; evaluated: CheckName[] }> = {
  ok: {
    fires: null,
    evaluated: ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
  },
  dns_failed: { fires: 'ssh_unreachable', evaluated: ['ssh_unreachable'] },
  connect_refused: {
    fires: 'ssh_unreachable',
    evaluated: ['ssh_unreachable'],
  },
  connect_timeout: {
    fires: 'ssh_unreachable',
    evaluated: ['ssh_unreachable'],
  },
  host_key_mismatch: {
    fires: 'ssh_host_key_mismatch',
    evaluated: ['ssh_unreachable', 'ssh_host_key_mismatch'],
  },
  auth_failed: {
    fires: 'ssh_auth_failed',
    evaluated: ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
  },
  session_failed: {
    fires: 'ssh_unreachable',
    evaluated: ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
  },
  command_timeout: {
    fires: null,
    evaluated: ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
  },
  unexpected_output: {
    fires: null,
    evaluated: ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
  },
  unexpected_prompt: {
    fires: null,
    evaluated: ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
  },
  // The monitor lacked its own secret: nothing about the appliance was learned. The cause is the
  // credential source's, judged once across appliances (credential-rules.ts), not this read's.
  credentials_unavailable: { fires: null, evaluated: [] },
};

/** Result of the config rules for the whole cycle. */
export interface ConfigRulesResult {
  findings: Finding[];
  checked: string[];
  /** Updated queue samples by `<appliance>/<queue>`. */
  queues: Record<string, QueueSample[]>;
  /** Updated mail_logs cursors by appliance. */
  logs: Record<string, LogCursor>;
}

/** What the config rules read from the previous cycle. */
export interface ConfigMemory {
  queues: Record<string, QueueSample[]>;
  logs: Record<string, LogCursor>;
}

function sshRules(c: Collector, f: ReadFacts): void {
  const r = f.obs.read;
  const decision = READ_CODE_DECISIONS[r.code];
  for (const check of decision.evaluated) c.check(check);
  if (decision.fires === null) return;
  const what: Record<string, string> = {
    ssh_unreachable:
      r.code === 'session_failed' ? 'SSH session failed after connecting' : `SSH unreachable (${r.code})`,
    ssh_host_key_mismatch: 'SSH host key does not match the pinned fingerprints',
    ssh_auth_failed: "SSH login refused for the monitor's account",
  };
  const severity = decision.fires === 'ssh_host_key_mismatch' ? 'critical' : 'warning';
  const evidence = [
    `ssh ${r.host}:${r.port} at ${r.startedAt}: ${r.status} ${r.code}: ${r.message}`,
    `timings: ${r.timings.connectMs === undefined ? '' : `connect ${Math.round(r.timings.connectMs)} ms, `}total ${Math.round(r.timings.totalMs)} ms`,
  ];
  if (r.hostKey !== null) evidence.push(`host key presented: ${r.hostKey}`);
  if (decision.fires === 'ssh_host_key_mismatch') {
    evidence.push(`pinned: ${listOf(c.a.ssh?.hostKeys ?? [])}`);
    if (c.a.role === 'esa')
      evidence.push(`the SMA's own configuration reads of ${c.a.name} will fail the same way`);
  }
  c.add(
    makeFinding({
      check: decision.fires,
      appliance: c.a.name,
      role: c.a.role,
      severity,
      summary: `${c.a.name}: ${what[decision.fires]}`,
      evidence,
      fix: { code: r.code, port: r.port, ...sshFix(c.a) },
    }),
  );
}

/** How the monitor reaches an appliance over SSH, for the fix texts' commands to run by hand. */
function sshFix(a: Appliance) {
  const s = a.ssh;
  if (s === undefined) return {};
  const c = s.credentials;
  const source =
    c.secretId !== undefined
      ? `Secrets Manager secret ${c.secretId}`
      : c.passwordEnv !== undefined
        ? `environment variable ${c.passwordEnv}`
        : c.keyFile !== undefined
          ? `key file ${c.keyFile}`
          : undefined;
  return {
    ssh: {
      host: a.host,
      port: s.port,
      user: s.user,
      ...(s.hostKeys[0] !== undefined ? { hostKey: s.hostKeys[0] } : {}),
      ...(source !== undefined ? { source } : {}),
    },
  };
}

/**
 * A read that could not complete (a command timed out, printed what no parser reads, stopped at
 * a prompt, or was not run) leaves the monitor blind on part of the appliance: at least a
 * warning, never info (docs/runbook.md#ssh_read_incomplete).
 */
function incompleteRule(c: Collector, f: ReadFacts): void {
  c.check('ssh_read_incomplete');
  const failed = Object.entries(f.failed);
  const r = f.obs.read;
  if (failed.length === 0 && r.code === 'ok') return;
  const evidence = [`ssh ${r.host}:${r.port}: ${r.code}: ${r.message}`];
  for (const [key, why] of failed) evidence.push(`${key}: ${why}`);
  c.add(
    makeFinding({
      check: 'ssh_read_incomplete',
      appliance: c.a.name,
      role: c.a.role,
      severity: 'warning',
      summary: incompleteSummary(
        c.a.name,
        r.code,
        failed.map(([k]) => [k, f.causes[k] ?? k] as const),
      ),
      evidence,
      // Which commands failed and why, not the messages (they carry counts and timings).
      cause: failed.map(([k]) => `${k}=${f.causes[k]}`).join('|') || r.code,
      fix: { name: failed.map(([k]) => k).join(',') || 'status', ...sshFix(c.a) },
    }),
  );
}

/**
 * The cause first (each failed command's cause in a few words, e.g. `stopped at "Really commit
 * and reboot? [Y]>"`, else its code), then the commands by their first word: a command line can
 * be long (a grep pattern), and the summary is cut to one SMS line, so it must not take the room
 * of the cause. The full command lines are in the evidence. `failed` is command line → cause.
 */
export function incompleteSummary(
  name: string,
  sessionCode: string,
  failed: ReadonlyArray<readonly [string, string]>,
): string {
  if (failed.length === 0) return `${name}: SSH read incomplete: ${sessionCode}`;
  const causes = [...new Set(failed.map(([, cause]) => cause))];
  const commands = [
    ...new Set(
      failed.map(([line]) => (line.startsWith('grep ') ? 'mail_logs grep' : line.split(' ', 1)[0]!)),
    ),
  ];
  return `${name}: SSH read incomplete: ${causes.join(', ')} (${commands.join(', ')})`;
}

/**
 * What this cycle's probes of the appliance's CPQ listener saw, in words a page can state next to
 * what `status` says: a summary never claims what the probe contradicts.
 */
export function probeSeen(probes: readonly ListenerObservation[], appliance: string): string {
  const own = probes.filter((o) => o.appliance === appliance);
  if (own.length === 0) return 'CPQ not probed this cycle';
  if (own.some((o) => o.probe.code === 'ok')) return 'the CPQ probe still connects';
  if (own.some((o) => o.probe.code === 'connect_refused')) return 'CPQ refuses connections';
  return `the CPQ probe failed (${own[0]!.probe.code})`;
}

function statusRules(c: Collector, f: ReadFacts, probe: string): void {
  const s = f.status;
  if (s === undefined) return;
  c.check('listeners_suspended');
  c.check('system_not_online');
  const facts = s.facts;
  const lines = [
    ...rawLinesWith(s.raw, 'System status'),
    ...(facts.statusAsOf ? [`Status as of: ${facts.statusAsOf}`] : []),
    ...(facts.upSince ? [`Up since: ${facts.upSince}`] : []),
  ];
  if (lines.length === 0) lines.push(`System status: ${facts.systemStatus}`);
  if (facts.receivingSuspended) {
    c.add(
      makeFinding({
        check: 'listeners_suspended',
        appliance: c.a.name,
        role: c.a.role,
        severity: 'critical',
        // What status said (its exact line is in the evidence) and what the probe saw.
        summary: `${c.a.name}: status reports receiving suspended; ${probe}`,
        evidence: [
          `\`${s.key}\`:`,
          ...lines,
          `receiving suspended: true, delivery suspended: ${facts.deliverySuspended}`,
        ],
        fix: { port: c.a.cpqPort },
      }),
    );
    return;
  }
  const badServices = Object.entries(facts.services).filter(
    ([name, state]) => /quarantine/i.test(name) && !/^(up|running|online|ok)\b/i.test(state.trim()),
  );
  if (!facts.online || badServices.length > 0) {
    const what = !facts.online
      ? `system status ${facts.systemStatus}`
      : `${badServices.map(([n, st]) => `${n} ${st}`).join(', ')}`;
    c.add(
      makeFinding({
        check: 'system_not_online',
        appliance: c.a.name,
        role: c.a.role,
        severity: 'critical',
        summary: `${c.a.name}: not online: ${what}`,
        evidence: [
          `\`${s.key}\`:`,
          ...lines,
          `delivery suspended: ${facts.deliverySuspended}`,
          ...badServices.map(([n, st]) => `service ${n}: ${st}`),
        ],
      }),
    );
  }
}

function rowLine(r: TophostsRow): string {
  return `${r.rank} ${r.down ? '*' : ''}${r.host} active ${r.activeRecipients}, conn. out ${r.connectionsOut}, delivered ${r.deliveredRecipients}, soft bounced ${r.softBounced}, hard bounced ${r.hardBounced}`;
}

function queueRule(
  c: Collector,
  f: ReadFacts,
  inv: Inventory,
  memory: ConfigMemory,
  queues: Record<string, QueueSample[]>,
): void {
  const t = f.tophosts;
  if (t === undefined) return;
  const th = queuesFor(inv, c.a);
  const esa = c.a.role === 'esa';
  const check: CheckName = esa ? 'cpq_queue_backlog' : 'release_queue_backlog';
  const name = esa ? th.cpqQueueName : th.releaseQueueName;
  c.check(check);
  const row =
    t.facts.rows.find((r) => r.host.toLowerCase() === name.toLowerCase()) ??
    (esa ? t.facts.cpqQueue : t.facts.releaseQueue);
  // A queue tophosts does not list is empty.
  const active = row?.activeRecipients ?? 0;
  const key = `${c.a.name}/${name}`;
  const samples = [...(memory.queues[key] ?? []), { at: f.obs.at, active }].slice(-(th.growthCycles + 1));
  queues[key] = samples;
  const growing =
    samples.length === th.growthCycles + 1 &&
    samples.every((s, i) => i === 0 || s.active > samples[i - 1]!.active);

  const reasons: string[] = [];
  let severity: 'critical' | 'warning' | null = null;
  if (active >= th.critical) {
    severity = 'critical';
    reasons.push(`${active} active recipients ≥ critical ${th.critical}`);
  } else if (active >= th.warning) {
    severity = 'warning';
    reasons.push(`${active} active recipients ≥ warning ${th.warning}`);
  }
  if (row?.down) {
    severity = active > 0 ? 'critical' : (severity ?? 'warning');
    reasons.push('host marked down at the last delivery attempt');
  }
  if (growing && active > 0) {
    severity ??= 'warning';
    reasons.push(`growing ${th.growthCycles} reads in a row (${samples.map((s) => s.active).join(' → ')})`);
  }
  if (severity === null || row === null || row === undefined) return;
  const peer = esa ? c.a.quarantine?.sma : undefined;
  const rawRow = rawLinesWith(t.raw, name, 3);
  c.add(
    makeFinding({
      check,
      appliance: c.a.name,
      role: c.a.role,
      severity,
      summary: `${c.a.name}: ${name} ${row.down ? 'down, ' : ''}${active} active recipients${growing ? ', growing' : ''}`,
      evidence: [
        `\`${t.key}\`${t.facts.statusAsOf ? ` (status as of ${t.facts.statusAsOf})` : ''}: ${rowLine(row)}`,
        ...rawRow.map((l) => `raw: ${l}`),
        ...reasons,
      ],
      fix: { name, ...(peer ? { peer } : {}) },
    }),
  );
}

function judgeList(list: string): { allows: boolean; reason: string } {
  const v = cipherListAllowsAnonymous(list);
  return { allows: v.allowsAnonymous, reason: v.reason };
}

function cipherRule(c: Collector, f: ReadFacts): void {
  const verdict = fromOutboundTls(
    { sslconfig: f.sslconfig?.facts, showconfig: f.showconfig?.facts },
    (outbound, source) => {
      if (!outbound.ciphers) return undefined;
      const ssl = source === 'sslconfig' ? f.sslconfig : undefined;
      // The sslconfig parser's verdict is preferred; for showconfig's copy the shared rule decides.
      const judged =
        ssl !== undefined
          ? { allows: ssl.facts.outboundAllowsAnonymous, reason: ssl.facts.anonymousReason ?? '' }
          : judgeList(outbound.ciphers);
      return { ...judged, list: outbound.ciphers, methods: outbound.methods, source: ssl?.key ?? source };
    },
  );
  if (verdict === undefined) return;
  c.check('outbound_ciphers_allow_anonymous');
  if (!verdict.allows) return;
  c.add(
    makeFinding({
      check: 'outbound_ciphers_allow_anonymous',
      appliance: c.a.name,
      role: c.a.role,
      severity: 'warning',
      summary: `${c.a.name}: outbound cipher list allows anonymous (aNULL) suites`,
      evidence: [
        `\`${verdict.source}\` outbound ciphers: ${verdict.list}`,
        ...(verdict.methods ? [`outbound methods: ${verdict.methods}`] : []),
        ...(verdict.reason ? [`why: ${verdict.reason}`] : []),
        'a CPQ peer that accepts an anonymous suite sends no certificate: "verify error: no certificate from server"',
      ],
    }),
  );
}

/** Runs the config rules over this cycle's reads (one ReadFacts per appliance). */
export function configRules(
  inv: Inventory,
  reads: ReadFacts[],
  memory: ConfigMemory,
  probes: readonly ListenerObservation[] = [],
): ConfigRulesResult {
  const findings: Finding[] = [];
  const checked: string[] = [];
  const queues: Record<string, QueueSample[]> = {};
  const logs: Record<string, LogCursor> = {};
  for (const f of reads) {
    const c = new Collector(f.appliance);
    sshRules(c, f);
    if (f.sessionOk) {
      incompleteRule(c, f);
      statusRules(c, f, probeSeen(probes, f.appliance.name));
      queueRule(c, f, inv, memory, queues);
      cipherRule(c, f);
      logRules(c, f, inv, memory.logs, logs);
    }
    findings.push(...c.findings);
    checked.push(...c.checked);
  }
  return { findings, checked, queues, logs };
}
