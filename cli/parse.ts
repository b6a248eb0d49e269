/**
 * `cpq-monitor parse KIND FILE|-`: parses AsyncOS output saved from a session (what an engineer
 * pastes) and prints its facts, readably or as JSON. Exit 0 when parsed; 3 for an unknown kind,
 * unreadable input, or output the parser cannot make sense of (the reason is printed).
 * Also holds the readable rendering of facts that `cpq-monitor read` shares.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  COMMANDS,
  type CommandFacts,
  commandOfKind,
  type ParseKind,
  parseTagged,
  type RegisteredCommand,
} from '../shared/asyncos/commands';
import type {
  MailLogFacts,
  ShowconfigFacts,
  SslconfigFacts,
  StatusFacts,
  TophostsFacts,
} from '../shared/asyncos/types';
import { ConfigError, EXIT, errorMessage } from '../shared/errors';
import { printJson, println, table } from './output';

/** What the CLI calls a command: its first alias, else its name (`status-detail`, `mail_logs`). */
export function cliName(command: RegisteredCommand): string {
  return command.aliases[0] ?? command.name;
}

/** Names `parse` accepts that can be typed without quotes, in the registry's order. */
function kindNames(): string[] {
  return COMMANDS.flatMap((c) => [...c.aliases, c.name]).filter((k) => !k.includes(' '));
}
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** The parse kind for a name given on the command line, or a usage error (exit 3). */
export function parseKind(name: string): ParseKind {
  const command = commandOfKind(name);
  if (command === undefined) {
    throw new ConfigError(`unknown kind "${name}"; expected one of: ${kindNames().join(', ')}`);
  }
  return command.kind ?? command.name;
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
    .argument('<kind>', COMMANDS.map(cliName).join(' | '))
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
        const out = parseTagged(commandOfKind(kind)!, raw, {
          cpqQueueName: flags.cpqQueue,
          releaseQueueName: flags.releaseQueue,
        });
        if (flags.json) {
          printJson(
            out.ok
              ? { kind, code: 'ok', message: `${kind} parsed`, parsed: out.value.facts }
              : { kind, code: 'unexpected_output', message: out.reason, parsed: null },
            2,
          );
        } else if (out.ok) {
          println(formatFacts(out.value));
        } else {
          process.stderr.write(`cpq-monitor parse: unexpected_output: ${out.reason}\n`);
        }
        process.exitCode = out.ok ? EXIT.ok : EXIT.unknown;
      },
    );
}

const dash = (v: unknown) => (v === null || v === undefined || v === '' ? '-' : String(v));

/** Readable rendering of one command's facts. */
export function formatFacts(f: CommandFacts): string {
  switch (f.command) {
    case 'status':
    case 'status detail':
      return formatStatus(f.facts);
    case 'tophosts':
      return formatTophosts(f.facts);
    case 'showconfig':
      return formatShowconfig(f.facts);
    case 'sslconfig':
      return formatSslconfig(f.facts);
    case 'listenerconfig':
      return table(
        ['#', 'Listener', 'Interface', 'IP', 'Protocol', 'Port', 'Type'],
        f.facts.listeners.map((l) => [l.index, l.name, l.interface, dash(l.ip), l.protocol, l.port, l.type]),
      );
    case 'interfaceconfig': {
      const t = table(
        ['Interface', 'IP', 'Netmask', 'Hostname'],
        f.facts.interfaces.map((i) => [i.name, i.ip, dash(i.netmask), dash(i.hostname)]),
      );
      return f.facts.machine === null ? t : `Machine: ${f.facts.machine}\n${t}`;
    }
    case 'grep':
      return formatMailLog(f.facts);
    default:
      // Facts that are labelled values (version, hoststatus), and any command without its own layout.
      return Object.entries(f.facts)
        .map(([k, v]) => `${`${k}:`.padEnd(24)}${typeof v === 'string' ? v : JSON.stringify(v)}`)
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
