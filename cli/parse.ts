/**
 * `cpq-monitor parse KIND FILE|-`: parses AsyncOS output saved from a session (what an engineer
 * pastes) and prints its facts, readably or as JSON. Exit 0 when parsed; 3 for an unknown kind,
 * unreadable input, or output the parser cannot make sense of (the reason is printed).
 * Also holds the readable rendering of facts that `cpq-monitor read` shares.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ParseKind, parseCommandOutput } from '../shared/asyncos/parsers';
import type {
  InterfaceconfigFacts,
  ListenerconfigFacts,
  MailLogFacts,
  ShowconfigFacts,
  SslconfigFacts,
  StatusFacts,
  TophostsFacts,
} from '../shared/asyncos/types';
import { ConfigError, EXIT, errorMessage } from '../shared/errors';
import { printJson, println, table } from './output';

/** Kinds `parse` accepts, with the aliases people type. */
const KINDS: Record<string, ParseKind> = {
  status: 'status',
  'status-detail': 'status detail',
  'status detail': 'status detail',
  tophosts: 'tophosts',
  showconfig: 'showconfig',
  sslconfig: 'sslconfig',
  listenerconfig: 'listenerconfig',
  interfaceconfig: 'interfaceconfig',
  mail_logs: 'mail_logs',
  grep: 'mail_logs',
  version: 'version',
  hoststatus: 'hoststatus',
};
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** The parse kind for a name given on the command line, or a usage error (exit 3). */
export function parseKind(name: string): ParseKind {
  const kind = KINDS[name];
  if (kind === undefined) {
    throw new ConfigError(
      `unknown kind "${name}"; expected one of: ${Object.keys(KINDS)
        .filter((k) => !k.includes(' '))
        .join(', ')}`,
    );
  }
  return kind;
}

async function readInput(source: string): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > MAX_INPUT_BYTES)
        throw new ConfigError(`standard input is larger than ${MAX_INPUT_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(source, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${source}: ${errorMessage(err)}`);
  }
}

/** Registers `parse` on the program. */
export function register(program: Command): void {
  program
    .command('parse')
    .description('Parse saved AsyncOS CLI output and print its facts')
    .argument(
      '<kind>',
      'status | status-detail | tophosts | showconfig | sslconfig | listenerconfig | interfaceconfig | mail_logs | version | hoststatus',
    )
    .argument('<file>', 'file with the output, or - for standard input')
    .option('--cpq-queue <name>', 'name of the ESA queue toward the SMA in tophosts', 'the.cpq.host')
    .option(
      '--release-queue <name>',
      'name of the SMA queue of released messages in tophosts',
      'the.cpq.release.host',
    )
    .option('--json', 'print { kind, code, message, parsed } as JSON')
    .action(
      async (
        name: string,
        file: string,
        flags: { cpqQueue: string; releaseQueue: string; json?: boolean },
      ) => {
        const kind = parseKind(name);
        const raw = await readInput(file);
        const out = parseCommandOutput(kind, raw, {
          cpqQueueName: flags.cpqQueue,
          releaseQueueName: flags.releaseQueue,
        });
        if (flags.json) {
          printJson(
            out.ok
              ? { kind, code: 'ok', message: `${kind} parsed`, parsed: out.facts }
              : { kind, code: 'unexpected_output', message: out.reason, parsed: null },
            2,
          );
        } else if (out.ok) {
          println(formatFacts(kind, out.facts));
        } else {
          process.stderr.write(`cpq-monitor parse: unexpected_output: ${out.reason}\n`);
        }
        process.exitCode = out.ok ? EXIT.ok : EXIT.unknown;
      },
    );
}

const dash = (v: unknown) => (v === null || v === undefined || v === '' ? '-' : String(v));

/** Readable rendering of one command's facts. */
export function formatFacts(kind: ParseKind, facts: unknown): string {
  switch (kind) {
    case 'status':
    case 'status detail':
      return formatStatus(facts as StatusFacts);
    case 'tophosts':
      return formatTophosts(facts as TophostsFacts);
    case 'showconfig':
      return formatShowconfig(facts as ShowconfigFacts);
    case 'sslconfig':
      return formatSslconfig(facts as SslconfigFacts);
    case 'listenerconfig':
      return table(
        ['#', 'Listener', 'Interface', 'IP', 'Protocol', 'Port', 'Type'],
        (facts as ListenerconfigFacts).listeners.map((l) => [
          l.index,
          l.name,
          l.interface,
          dash(l.ip),
          l.protocol,
          l.port,
          l.type,
        ]),
      );
    case 'interfaceconfig': {
      const f = facts as InterfaceconfigFacts;
      const t = table(
        ['Interface', 'IP', 'Netmask', 'Hostname'],
        f.interfaces.map((i) => [i.name, i.ip, dash(i.netmask), dash(i.hostname)]),
      );
      return f.machine === null ? t : `Machine: ${f.machine}\n${t}`;
    }
    case 'grep':
    case 'mail_logs':
      return formatMailLog(facts as MailLogFacts);
    default:
      return Object.entries(facts as Record<string, string>)
        .map(([k, v]) => `${`${k}:`.padEnd(24)}${v}`)
        .join('\n');
  }
}

function formatStatus(f: StatusFacts): string {
  const lines = [
    `System status:       ${f.systemStatus}${f.online ? '' : '  (not online)'} [${f.variant.toUpperCase()}]`,
    `Status as of:        ${dash(f.statusAsOf)}`,
    `Up since:            ${dash(f.upSince)}`,
    `Oldest message:      ${dash(f.oldestMessage)}`,
    `Active recipients:   ${dash(f.activeRecipients)}`,
    `Work queue:          ${dash(f.workQueue)}`,
    `PVO quarantine:      ${dash(f.pvoQuarantineMessages)}`,
  ];
  if (f.receivingSuspended || f.deliverySuspended) {
    lines.push(
      `Suspended:           ${[f.receivingSuspended && 'receiving', f.deliverySuspended && 'delivery'].filter(Boolean).join(', ')}`,
    );
  }
  for (const [name, state] of Object.entries(f.services)) lines.push(`${`${name}:`.padEnd(21)}${state}`);
  return lines.join('\n');
}

function formatTophosts(f: TophostsFacts): string {
  const t = table(
    ['#', 'Host', 'Down', 'Active', 'Conn. out', 'Delivered', 'Soft', 'Hard'],
    f.rows.map((r) => [
      r.rank,
      r.host,
      r.down ? '*' : '',
      r.activeRecipients,
      r.connectionsOut,
      r.deliveredRecipients,
      r.softBounced,
      r.hardBounced,
    ]),
  );
  const q = (label: string, r: TophostsFacts['cpqQueue']) =>
    `${label}${r === null ? 'not listed' : `${r.activeRecipients} active recipient(s)${r.down ? ', host down' : ''}`}`;
  return [
    `Status as of: ${dash(f.statusAsOf)}`,
    q('CPQ queue:     ', f.cpqQueue),
    q('Release queue: ', f.releaseQueue),
    t,
  ].join('\n');
}

function formatShowconfig(f: ShowconfigFacts): string {
  const lines = [`Hostname: ${dash(f.hostname)}${f.cluster ? `   Cluster: ${f.cluster}` : ''}`];
  lines.push(
    table(
      ['Listener', 'Protocol', 'Interface', 'Port', 'Type', 'RELAYLIST'],
      f.listeners.map((l) => [
        l.name,
        l.protocol,
        l.interface,
        l.port,
        dash(l.type),
        l.relayList === null ? '-' : [...l.relayList.hosts, ...l.relayList.networks].join(', ') || '(empty)',
      ]),
    ),
  );
  lines.push(
    table(
      ['Interface', 'IP', 'Netmask', 'Hostname'],
      f.interfaces.map((i) => [i.name, i.ip, dash(i.netmask), dash(i.hostname)]),
    ),
  );
  lines.push(`Inbound TLS:  ${dash(f.tls.inbound.methods)}  ${dash(f.tls.inbound.ciphers)}`);
  lines.push(`Outbound TLS: ${dash(f.tls.outbound.methods)}  ${dash(f.tls.outbound.ciphers)}`);
  lines.push(
    f.cpq === null
      ? 'PVO/CPQ target: not configured'
      : `PVO/CPQ target: ${dash(f.cpq.host)}:${dash(f.cpq.port)} via ${dash(f.cpq.interface)}${f.cpq.enabled === false ? ' (disabled)' : ''}`,
  );
  return lines.join('\n');
}

function formatSslconfig(f: SslconfigFacts): string {
  return [
    `Inbound:  ${dash(f.inbound.methods)}  ${dash(f.inbound.ciphers)}`,
    `Outbound: ${dash(f.outbound.methods)}  ${dash(f.outbound.ciphers)}`,
    f.outboundAllowsAnonymous
      ? `Outbound list ALLOWS anonymous (aNULL) suites: ${f.anonymousReason} - append :-aNULL (DOMAIN item 6)`
      : 'Outbound list excludes anonymous suites',
  ].join('\n');
}

function formatMailLog(f: MailLogFacts): string {
  const counts = new Map<string, number>();
  for (const e of f.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  const lines = [`${f.events.length} event(s), ${f.unknownLines.length} other line(s)`];
  for (const [type, count] of counts) lines.push(`  ${type.padEnd(22)}${count}`);
  const notable = f.events.filter((e) =>
    ['tls_failed', 'tls_required_failed', 'connection_error', 'application_fault'].includes(e.type),
  );
  if (notable.length > 0) {
    lines.push('Problems:');
    for (const e of notable.slice(-20)) lines.push(`  ${e.raw.trim()}`);
  }
  return lines.join('\n');
}
