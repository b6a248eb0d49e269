/**
 * Text of the simulated AsyncOS CLI, generated from an appliance's state: banner, prompt, and
 * every allow-listed command (with its menus) in the layouts docs/domain.md#asyncos-commands-the-monitor-uses
 * describes. Lines end in `\n` here; the SSH server turns them into CRLF.
 */
import { type CommandName, commandOfLine } from '../shared/asyncos/commands';
import { cipherListAllowsAnonymous } from '../shared/tls/ciphers';
import { type ApplianceState, systemStatusText } from './appliance-state';

/** One step of a command's interaction: print text, or ask and continue with the answer. */
export type Step = { out: string } | { ask: string; next: (answer: string) => Step[] };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Fri Sep  6 15:08:02 2013`: the appliance's timestamp (UTC here), day space-padded. */
export function asctime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

const n = (v: number) => v.toLocaleString('en-US');
const label = (text: string, width = 31) => `${text.padEnd(width)}`;

/** The CLI prompt: `host> `, or `(Machine host)> ` on a cluster member. */
export function promptFor(state: ApplianceState): string {
  return state.cluster === null ? `${state.hostname}> ` : `(Machine ${state.hostname})> `;
}

/** Login banner. */
export function bannerText(state: ApplianceState): string {
  const product = state.role === 'esa' ? 'Email Security Appliance' : 'Security Management Appliance';
  return `\nLast login: ${asctime(new Date(Date.UTC(2026, 10, 27, 6, 1, 9)))} from 10.10.20.1\nCopyright (c) 2001-2026, Cisco Systems, Inc. and/or its affiliates. All rights reserved.\nAsyncOS ${state.version} for Cisco ${state.model} build 620\n\nWelcome to the Cisco ${state.model} ${product}\n\n`;
}

/** `version`. */
export function versionText(state: ApplianceState): string {
  return [
    '',
    'Current Version',
    '===============',
    `Product: Cisco ${state.model} ${state.role === 'esa' ? 'Email Security Appliance' : 'Security Management Appliance'}`,
    `Model: ${state.model}`,
    `Version: ${state.version}`,
    'Build Date: 2026-03-14',
    'Install Date: 2026-04-02 09:12:44',
    `Serial #: ${state.serial}`,
    'BIOS: C240M5.4.1.3c.0',
    'CPUs: 8 expected, 8 allocated',
    'Memory: 16384 MB expected, 16384 MB allocated',
    'Hard disk: 500 GB, or 1024 GB expected; 1024 GB allocated',
    'RAID: NA',
    '',
  ].join('\n');
}

/** `status` or `status detail`, ESA or SMA layout. */
export function statusText(state: ApplianceState, detail: boolean, now = new Date()): string {
  const uptime = Math.max(0, Math.floor((now.getTime() - state.upSince.getTime()) / 1000));
  const d = Math.floor(uptime / 86400);
  const h = Math.floor((uptime % 86400) / 3600);
  const m = Math.floor((uptime % 3600) / 60);
  const s = uptime % 60;
  const up = `${asctime(state.upSince)} (${d}d ${h}h ${m}m ${s}s)`;
  const cpq = state.queues[0]!;
  const active = state.queues.reduce((sum, q) => sum + q.activeRecipients, 0);
  if (state.role === 'sma') {
    return [
      '',
      `${label('Status as of:')}${asctime(now)} UTC`,
      `${label('Up since:')}${up}`,
      `${label('Appliance available from:')}${asctime(state.upSince)} UTC`,
      `${label('System Uptime:')}${d}d ${h}h ${m}m ${s}s`,
      `${label('Last counter reset:')}Never`,
      `${label('System status:')}${systemStatusText(state)}`,
      `${label('Oldest Message:')}${state.oldestMessage === null ? 'No Messages' : asctime(state.oldestMessage)}`,
      '',
      'Services:',
      ...Object.entries(state.services).map(([name, st]) => `  ${name.padEnd(40)}${st}`),
      '',
      `${'Counters:'.padEnd(34)}${'Reset'.padStart(12)}${'Uptime'.padStart(12)}${'Lifetime'.padStart(12)}`,
      '  Receiving',
      row('    Messages Received', [
        cpq.deliveredRecipients,
        cpq.deliveredRecipients,
        cpq.deliveredRecipients,
      ]),
      '  Completion',
      row('    Released Messages', [
        cpq.deliveredRecipients,
        cpq.deliveredRecipients,
        cpq.deliveredRecipients,
      ]),
      '',
      `${'Gauges:'.padEnd(34)}${'Current'.padStart(12)}`,
      '  Queue',
      row('    Active Recipients', [cpq.activeRecipients]),
      '  Quarantine',
      '    Messages In Quarantine',
      row('      Policy, Virus and Outbreak', [state.pvoQuarantineMessages]),
      '',
    ].join('\n');
  }
  const lines = [
    '',
    'Enter "status detail" for more information.',
    '',
    `${label('Status as of:')}${asctime(now)} UTC`,
    `${label('Up since:')}${up}`,
    `${label('Last counter reset:')}Never`,
    `${label('System status:')}${systemStatusText(state)}`,
    `${label('Oldest Message:')}${state.oldestMessage === null ? 'No Messages' : age(now.getTime() - state.oldestMessage.getTime())}`,
    `${label('Feature - IronPort Anti-Spam:')}1127 days`,
    `${label('Feature - Centralized Quarantine:')}1127 days`,
    '',
    `${'Counters:'.padEnd(34)}${'Reset'.padStart(12)}${'Uptime'.padStart(12)}${'Lifetime'.padStart(12)}`,
    '  Receiving',
    row('    Messages Received', [state.counters.received, 290_920, state.counters.received]),
    row('    Recipients Received', [state.counters.received + 1, 290_920, state.counters.received + 1]),
    '  Rejection',
    row('    Rejected Recipients', [state.counters.hardBounced, 11_921, state.counters.hardBounced]),
    row('    Dropped Messages', [11_606_037, 219, 11_606_037]),
    '  Queue',
    row('    Soft Bounced Events', [state.counters.softBounced, 13_598, state.counters.softBounced]),
    '  Completion',
    row('    Completed Recipients', [state.counters.delivered, 332_625, state.counters.delivered]),
    '  Current IDs',
    row('    Message ID (MID)', [99_524_480]),
    row('    Injection Conn. ID (ICID)', [51_180_368]),
    row('    Delivery Conn. ID (DCID)', [17_550_674]),
  ];
  if (detail) {
    lines.push(
      '',
      `${'Rates (Events Per Hour):'.padEnd(34)}${'1-Minute'.padStart(12)}${'5-Minutes'.padStart(12)}${'15-Minutes'.padStart(12)}`,
      '  Receiving',
      row('    Messages Received', [180, 300, 276]),
      row('    Recipients Received', [180, 300, 276]),
      '  Delivery',
      row('    Delivered Recipients', [120, 240, 252]),
    );
  }
  lines.push(
    '',
    `${'Gauges:'.padEnd(34)}${'Current'.padStart(12)}`,
    '  Connections',
    row('    Current Inbound Conn.', [0]),
    row('    Current Outbound Conn.', [state.queues.reduce((sum, q) => sum + q.connectionsOut, 0)]),
    '  Queue',
    row('    Active Recipients', [active]),
    row('    Messages In Work Queue', [state.workQueue]),
    row('    Kilobytes Used', [473]),
    row('    Kilobytes Free', [71_303_207]),
    '  Quarantine',
    '    Messages In Quarantine',
    row('      Policy, Virus and Outbreak', [state.pvoQuarantineMessages]),
    row('    Kilobytes In Quarantine', [0]),
    '',
  );
  return lines.join('\n');
}

/** `4h 46m 53s`: how the CLI shows the age of the oldest message. */
function age(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(t / 86400);
  return `${d > 0 ? `${d}d ` : ''}${Math.floor((t % 86400) / 3600)}h ${Math.floor((t % 3600) / 60)}m ${t % 60}s`;
}

function row(text: string, values: number[]): string {
  return `${text.padEnd(34)}${values.map((v) => n(v).padStart(12)).join('')}`;
}

const SORT_MENU = [
  'Sort results by:',
  '',
  '1. Active Recipients',
  '2. Connections Out',
  '3. Delivered Recipients',
  '4. Hard Bounced Recipients',
  '5. Soft Bounced Events',
].join('\n');
const SORT_KEYS: Record<string, keyof Omit<ApplianceState['queues'][number], 'host' | 'down'>> = {
  '1': 'activeRecipients',
  '2': 'connectionsOut',
  '3': 'deliveredRecipients',
  '4': 'hardBounced',
  '5': 'softBounced',
  active_rcpts: 'activeRecipients',
  conn_out: 'connectionsOut',
  deliv_rcpts: 'deliveredRecipients',
  hard_bounced: 'hardBounced',
  soft_bounced: 'softBounced',
};

/** `tophosts` table for a sort key; rows whose host is longer than the column wrap at 80 columns. */
export function tophostsText(state: ApplianceState, sort: string, now = new Date()): string {
  const key = SORT_KEYS[sort] ?? 'activeRecipients';
  const rows = [...state.queues].sort((a, b) => b[key] - a[key]);
  const lines = [
    '',
    `Status as of:                       ${asctime(now)} UTC`,
    "Hosts marked with '*' were down as of the last delivery attempt.",
    '                                      Active   Conn.   Deliv.     Soft     Hard',
    '#  Recipient Host                     Recip.    Out    Recip.  Bounced  Bounced',
  ];
  rows.forEach((q, i) => {
    const rank = `${i + 1}${q.down ? '*' : ' '}`.padEnd(3);
    const numbers = `${n(q.activeRecipients).padStart(7)}${n(q.connectionsOut).padStart(7)}${n(q.deliveredRecipients).padStart(10)}${n(q.softBounced).padStart(9)}${n(q.hardBounced).padStart(9)}`;
    if (q.host.length > 32) lines.push(`${rank}${q.host}`, `${' '.repeat(35)}${numbers}`);
    else lines.push(`${rank}${q.host.padEnd(32)}${numbers}`);
  });
  lines.push('');
  return lines.join('\n');
}

/** Steps of `tophosts [sort]`: the sort menu when no argument is given. */
export function tophostsSteps(state: ApplianceState, arg: string): Step[] {
  if (arg !== '') {
    if (!(arg in SORT_KEYS)) return [{ out: `\nInvalid argument: ${arg}\n` }];
    return [{ out: tophostsText(state, arg) }];
  }
  return [
    { out: `\n${SORT_MENU}\n` },
    { ask: '[1]> ', next: (a) => [{ out: tophostsText(state, a === '' ? '1' : a) }] },
  ];
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The configuration XML with passwords masked (`*****`). */
export function showconfigXml(state: ApplianceState): string {
  const x: string[] = [
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<!DOCTYPE config SYSTEM "config.dtd">',
    '',
    '<!--',
    `  Product: Cisco ${state.model} ${state.role === 'esa' ? 'Email Security Appliance' : 'Security Management Appliance'}`,
    `  Model Number: ${state.model}`,
    `  Version: ${state.version}`,
    `  Serial Number: ${state.serial}`,
    `  Current Time: ${asctime(new Date())}`,
    '-->',
    '<config>',
    `  <hostname>${xmlEscape(state.hostname)}</hostname>`,
  ];
  if (state.cluster !== null) {
    x.push('  <cluster>', `    <cluster_name>${xmlEscape(state.cluster.name)}</cluster_name>`);
    for (const m of state.cluster.machines) x.push(`    <machine_name>${xmlEscape(m)}</machine_name>`);
    x.push('  </cluster>');
  }
  x.push('  <interfaces>');
  for (const i of state.interfaces) {
    x.push(
      '    <interface>',
      `      <interface_name>${xmlEscape(i.name)}</interface_name>`,
      `      <ip>${i.ip}</ip>`,
      `      <phys_interface>${xmlEscape(i.port)}</phys_interface>`,
      `      <netmask>${prefixToNetmask(i.prefix)}</netmask>`,
      `      <hostname>${xmlEscape(i.hostname)}</hostname>`,
      '      <ftpd_port>21</ftpd_port>',
      '      <sshd_port>22</sshd_port>',
      '    </interface>',
    );
  }
  x.push('  </interfaces>', '  <listeners>');
  for (const l of state.listeners) {
    x.push(
      '    <listener>',
      `      <listener_name>${xmlEscape(l.name)}</listener_name>`,
      `      <protocol>${l.protocol}</protocol>`,
      `      <interface_name>${xmlEscape(l.interface)}</interface_name>`,
      `      <port>${l.port}</port>`,
      `      <listen_queue_size>${l.listenQueueSize}</listen_queue_size>`,
      `      <type>${l.type.toLowerCase()}</type>`,
      '      <hat>',
    );
    if (l.relayList.length > 0)
      x.push('RELAYLIST:', ...l.relayList.map((h) => `    ${h}`), '    $RELAYED', '');
    x.push(
      'ALL:',
      `    ${l.relayList.length > 0 || l.protocol === 'CPQ' ? '$BLOCKED' : '$ACCEPTED'}`,
      '      </hat>',
      '      <rat>',
      '        <rat_entry>',
      '          <rat_address>ALL</rat_address>',
      `          <access>${l.type === 'Private' ? 'ACCEPT' : 'REJECT'}</access>`,
      '        </rat_entry>',
      '      </rat>',
      '    </listener>',
    );
  }
  x.push(
    '  </listeners>',
    '  <ssl>',
    '    <ssl_gui_method>tlsv1.2</ssl_gui_method>',
    `    <ssl_gui_ciphers>${xmlEscape(state.tls.inboundCiphers)}</ssl_gui_ciphers>`,
    `    <ssl_inbound_method>${xmlEscape(state.tls.inboundMethods)}</ssl_inbound_method>`,
    `    <ssl_inbound_ciphers>${xmlEscape(state.tls.inboundCiphers)}</ssl_inbound_ciphers>`,
    `    <ssl_outbound_method>${xmlEscape(state.tls.outboundMethods)}</ssl_outbound_method>`,
    `    <ssl_outbound_ciphers>${xmlEscape(state.tls.outboundCiphers)}</ssl_outbound_ciphers>`,
    '  </ssl>',
  );
  if (state.cpqTarget !== null) {
    x.push(
      '  <centralized_pvo>',
      `    <pvo_enabled>${state.cpqTarget.enabled ? 1 : 0}</pvo_enabled>`,
      `    <pvo_host>${xmlEscape(state.cpqTarget.host)}</pvo_host>`,
      `    <pvo_port>${state.cpqTarget.port}</pvo_port>`,
      `    <pvo_interface>${xmlEscape(state.cpqTarget.interface)}</pvo_interface>`,
      '  </centralized_pvo>',
    );
  }
  x.push(
    '  <users>',
    '    <user>',
    '      <username>admin</username>',
    '      <encrypted_password>*****</encrypted_password>',
    '      <user_role>Administrator</user_role>',
    '    </user>',
    '  </users>',
    '</config>',
    '',
  );
  return x.join('\n');
}

function prefixToNetmask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.');
}

/** Steps of `showconfig`: the passphrase question (mask offered first), then the XML. */
export function showconfigSteps(state: ApplianceState): Step[] {
  return [
    {
      out: '\nChoose the passphrase option:\n1. Mask passphrases (Files with masked passphrases cannot be loaded using loadconfig command)\n2. Encrypt passphrases\n',
    },
    {
      ask: '[1]> ',
      next: (a) =>
        a === '' || a === '1'
          ? [{ out: `\n${showconfigXml(state)}` }]
          : [{ out: '\nThe configuration with encrypted passphrases is not shown in the lab.\n' }],
    },
  ];
}

const LIST_MENU_SSL = [
  'Choose the operation you want to perform:',
  '- GUI - Edit GUI HTTPS ssl settings.',
  '- INBOUND - Edit Inbound SMTP ssl settings.',
  '- OUTBOUND - Edit Outbound SMTP ssl settings.',
  '- VERIFY - Verify and show ssl cipher list.',
  '- OTHER_CLIENT_TLSV10 - Edit TLS v1.0 for other client services.',
].join('\n');

/** `sslconfig`: settings, one cipher word per indented line, then its menu. */
export function sslconfigSteps(state: ApplianceState): Step[] {
  const list = (s: string) => s.split(':').map((w) => `        ${w}`);
  const text = [
    '',
    'sslconfig settings:',
    '  GUI HTTPS method:  tlsv1.2',
    '  GUI HTTPS ciphers:',
    ...list(state.tls.inboundCiphers),
    `  Inbound SMTP method:  ${state.tls.inboundMethods}`,
    '  Inbound SMTP ciphers:',
    ...list(state.tls.inboundCiphers),
    `  Outbound SMTP method:  ${state.tls.outboundMethods}`,
    '  Outbound SMTP ciphers:',
    ...list(state.tls.outboundCiphers),
    '',
    LIST_MENU_SSL,
    '',
  ].join('\n');
  return [{ out: text }, { ask: '[]> ', next: leaveMenu }];
}

/** `listenerconfig`: the listing (hidden cpq_listener excluded), then its menu. */
export function listenerconfigSteps(state: ApplianceState): Step[] {
  const visible = state.listeners.filter((l) => !l.hidden);
  const ipOf = (name: string) => state.interfaces.find((i) => i.name === name)?.ip ?? '0.0.0.0';
  const text = [
    '',
    'Currently configured listeners:',
    ...visible.map(
      (l, i) =>
        `${i + 1}. ${l.name} (on ${l.interface}, ${ipOf(l.interface)}) ${l.protocol} TCP Port ${l.port} ${l.type}`,
    ),
    '',
    'Choose the operation you want to perform:',
    '- NEW - Create a new listener.',
    '- EDIT - Modify a listener.',
    '- DELETE - Remove a listener.',
    '- SETUP - Change global settings.',
    '',
  ].join('\n');
  return [{ out: text }, { ask: '[]> ', next: leaveMenu }];
}

/** `interfaceconfig`: the listing (with the machine in cluster mode), then its menu. */
export function interfaceconfigSteps(state: ApplianceState): Step[] {
  const text = [
    '',
    ...(state.cluster !== null ? [`Current mode: (Machine ${state.hostname})`, ''] : []),
    'Currently configured interfaces:',
    ...state.interfaces.map(
      (i, k) => `${k + 1}. ${i.name} (${i.ip}/${i.prefix} on ${i.port}: ${i.hostname})`,
    ),
    '',
    'Choose the operation you want to perform:',
    '- NEW - Create a new interface.',
    '- EDIT - Modify an interface.',
    '- GROUPS - Define interface groups.',
    '- DELETE - Remove an interface.',
    '',
  ].join('\n');
  return [{ out: text }, { ask: '[]> ', next: leaveMenu }];
}

function leaveMenu(answer: string): Step[] {
  // Anything but an empty answer would start a change in the real CLI; the lab just refuses it.
  return answer === '' ? [] : [{ out: `\nThe lab appliance is read-only: "${answer}" ignored.\n` }];
}

/**
 * mail_logs as the appliance would have written them: its CPQ traffic, plus, on an ESA whose
 * outbound list allows aNULL suites, the failures of docs/domain.md#the-anonymous-cipher-failure.
 */
export function mailLogLines(state: ApplianceState, now = new Date()): string[] {
  const lines = [...state.mailLogs];
  if (state.role === 'esa' && cipherListAllowsAnonymous(state.tls.outboundCiphers).allowsAnonymous) {
    // The ESA retries its quarantine deliveries all the time, so every read shows fresh failures:
    // stamped a few seconds before `now`, with a DCID that changes with the time.
    const port = state.cpqTarget?.port ?? 7025;
    const t = asctime(new Date(now.getTime() - 3000));
    const dcid = 100_000 + (Math.floor(now.getTime() / 1000) % 900_000);
    lines.push(
      `${t} Info: New SMTP DCID ${dcid} interface 10.10.10.1 address 10.10.20.1 port ${port}`,
      `${t} Info: DCID ${dcid} TLS failed: verify error: no certificate from server`,
      `${t} Info: DCID ${dcid} TLS was required but could not be successfully negotiated`,
      `${t} Info: Connection Error: DCID ${dcid} domain: the.cpq.host IP: 10.10.20.1 port: ${port} details: TLS required interface: 10.10.10.1 reason: TLS failure`,
    );
  }
  return lines;
}

/** `grep -e "PATTERN" LOG` (regex as given; `-i` is not used by the reader). */
export function grepText(state: ApplianceState, pattern: string, log: string): string {
  if (log !== 'mail_logs') return `\nLog "${log}" has no entries in the lab.\n`;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return `\nInvalid regular expression: ${pattern}\n`;
  }
  const hits = mailLogLines(state).filter((l) => re.test(l));
  return hits.length === 0 ? '\n' : `\n${hits.join('\n')}\n`;
}

/** `hoststatus HOST`. */
export function hoststatusText(state: ApplianceState, host: string, now = new Date()): string {
  const q = state.queues.find((x) => x.host === host);
  return [
    '',
    `Host mail status for: '${host}'`,
    `Status as of:        ${asctime(now)} UTC`,
    `Host up/down:        ${q === undefined ? 'unknown' : q.down ? 'down' : 'up'}`,
    '',
    'Counters:',
    `  Queue`,
    `    Soft Bounced Events                    ${n(q?.softBounced ?? 0)}`,
    '  Completion',
    `    Completed Recipients                   ${n(q?.deliveredRecipients ?? 0)}`,
    `    Hard Bounced Recipients                ${n(q?.hardBounced ?? 0)}`,
    'Gauges:',
    `  Active Recipients                        ${n(q?.activeRecipients ?? 0)}`,
    `  Connections Out                          ${n(q?.connectionsOut ?? 0)}`,
    '',
  ].join('\n');
}

/**
 * The simulated output of every command in the registry, by command: the compiler asks for an
 * entry here when a command is added. `arg` is the rest of the line after the command's name.
 */
const LAB_COMMANDS: { [N in CommandName]: (state: ApplianceState, arg: string) => Step[] } = {
  version: (state) => [{ out: versionText(state) }],
  status: (state) => [{ out: statusText(state, false) }],
  'status detail': (state) => [{ out: statusText(state, true) }],
  tophosts: tophostsSteps,
  showconfig: showconfigSteps,
  sslconfig: sslconfigSteps,
  listenerconfig: listenerconfigSteps,
  interfaceconfig: interfaceconfigSteps,
  hoststatus: (state, host) => [{ out: hoststatusText(state, host) }],
  grep: (state, arg) => {
    const m = /^(?:-i\s+)?-e\s+"([^"]*)"\s+(\S+)$/.exec(arg);
    return [{ out: m ? grepText(state, m[1]!, m[2]!) : '\nUsage: grep [-i] [-e regex] LOG\n' }];
  },
};

/** The steps of one command line, or an "unknown command" reply. */
export function commandSteps(state: ApplianceState, line: string): Step[] {
  const [cmd = ''] = line.trim().split(/\s+/);
  if (cmd === '') return [];
  const match = commandOfLine(line);
  if (match === undefined) return [{ out: `\nUnknown command or missing feature key: ${cmd}\n` }];
  return LAB_COMMANDS[match.command.name](state, match.rest);
}
