/**
 * What on-call types or clicks to fix each check, in order (AsyncOS CLI commands and GUI
 * settings: docs/domain.md#the-pvo-quarantine-settings). Texts only; the rules pick them and fill in names.
 */
import { DEFAULTS } from '../inventory/schema';
import type { CheckName } from './types';

/** Names the fix texts refer to. */
export interface FixContext {
  /** The appliance the finding is about (where the fix is applied unless `peer` says otherwise). */
  appliance: string;
  role: 'esa' | 'sma';
  /** The other end of the path, when there is one. */
  peer?: string;
  /** The CPQ port involved. */
  port?: number;
  /** The failure code (probe or read) or sub-case that selects a variant of the fix. */
  code?: string;
  /** A queue, interface or listener name the fix refers to. */
  name?: string;
  /** How the monitor reaches the appliance over SSH (from the inventory), for commands to run by hand. */
  ssh?: { host: string; port: number; user: string; hostKey?: string; source?: string };
}

/** The credential source of a monitor-side fix: `Secrets Manager secret X`, `environment variable X`, `key file X`. */
function credentialSource(c: FixContext): string {
  const name = c.name ?? '?';
  return c.code === 'secret'
    ? `Secrets Manager secret ${name}`
    : c.code === 'env'
      ? `environment variable ${name}`
      : `key file ${name}`;
}

/** The CPQ port a fix names: the one involved, else the default every appliance starts with. */
function cpqPort(c: FixContext): number {
  return c.port ?? DEFAULTS.cpqPort;
}

/** The `cpq-monitor read` line that repeats the monitor's read by hand (credential left to the reader). */
function readByHand(c: FixContext, tail: string): string {
  const s = c.ssh;
  if (s === undefined)
    return `\`cpq-monitor read <host> --port <ssh port> --user <user> --password-env VAR --host-key <pinned key> ${tail}\``;
  const port = s.port === DEFAULTS.sshPort ? '' : ` --port ${s.port}`;
  const key = s.hostKey !== undefined ? ` --host-key ${s.hostKey}` : ' --host-key <pinned key>';
  return `\`cpq-monitor read ${s.host}${port} --user ${s.user} --password-env VAR${key} ${tail}\` (VAR holding the password; or --key FILE)`;
}

/** `read --commands` names of the command lines the reader sent (`tophosts active_rcpts` → `tophosts`). */
function readCommandNames(lines: string | undefined): string {
  if (lines === undefined || lines === '') return 'status';
  const names = lines.split(',').map((l) => {
    const t = l.trim();
    if (t.startsWith('grep')) return 'mail_logs';
    if (t.startsWith('status detail')) return 'status-detail';
    return t.split(/\s+/)[0] ?? t;
  });
  return [...new Set(names)].join(',');
}

const PVO_SMA = 'Management Appliance → Centralized Services → Policy, Virus and Outbreak Quarantines';
const PVO_ESA = 'Security Services → Policy, Virus and Outbreak Quarantines';
const SECURITY_APPLIANCES = 'Management Appliance → Centralized Services → Security Appliances';

function pvoSetting(role: 'esa' | 'sma'): string {
  return role === 'sma' ? PVO_SMA : PVO_ESA;
}

function anonymousFix(connecting: string): string[] {
  return [
    `On ${connecting} (the connecting side): \`sslconfig\` → OUTBOUND: keep the methods, and append \`:-aNULL\` to the cipher list (e.g. \`ALL:-aNULL\`)`,
    `On ${connecting}: \`commit\``,
    `Confirm on ${connecting}: \`sslconfig\` shows the outbound list ending in \`:-aNULL\` (leave the menu with Enter)`,
  ];
}

type FixText = (c: FixContext) => string[];

const FIXES: Record<CheckName, FixText> = {
  cpq_listener_refused: (c) => [
    `On ${c.appliance}: \`status\` — "System status" other than Online (e.g. Receiving Suspended, Offline) means the listeners are suspended`,
    `On ${c.appliance}: \`resume\` (or \`resumelistener\` and pick cpq_listener), then \`status\` shows Online`,
    `If status is Online: check the PVO quarantine is enabled and on port ${cpqPort(c)} in ${pvoSetting(c.role)}`,
    `From the peer's CLI: \`telnet ${c.appliance} ${cpqPort(c)}\` must print a 220 banner`,
  ],
  cpq_listener_unreachable: (c) =>
    c.code === 'dns_failed'
      ? [
          `The monitor cannot resolve ${c.appliance}'s host name: fix the DNS record, or put the IP address in the inventory's \`host\` (the monitor connects to \`host\`; \`address\` only opens the security group)`,
          `From the peer's CLI: \`nslookup\` the same name — the appliances resolve it too`,
        ]
      : [
          `Allow TCP ${cpqPort(c)} to ${c.appliance} from its peers (and the monitor): security groups, network ACLs, firewalls on the way`,
          `On ${c.appliance}: \`interfaceconfig\` — the interface chosen for the quarantine in ${pvoSetting(c.role)} must exist and own the probed address (Network → IP Interfaces)`,
          `From the peer's CLI: \`ping\`/\`traceroute\` ${c.appliance}, then \`telnet ${c.appliance} ${cpqPort(c)}\` must print a 220 banner`,
        ],
  cpq_banner_invalid: (c) => [
    ...(c.code === 'banner_rejected'
      ? [
          `A 554 greeting is the HAT rejecting the connecting address: it must be in cpq_listener's RELAYLIST (\`showconfig\` on ${c.appliance})`,
          `A 421 greeting means ${c.appliance} is refusing for now (connection limit, shutting down): \`status\` and \`status detail\``,
        ]
      : []),
    'A firewall that inspects SMTP (e.g. Cisco ASA `inspect esmtp`) garbles or delays the banner: exempt TCP ' +
      `${cpqPort(c)} between the appliances (\`no inspect esmtp\` for that traffic)`,
    `From the peer's CLI: \`telnet ${c.appliance} ${cpqPort(c)}\` must print one clean 220 line`,
  ],
  cpq_starttls_unavailable: (c) => [
    `A firewall inspecting SMTP strips STARTTLS from the EHLO reply: exempt TCP ${cpqPort(c)} between the appliances from SMTP/ESMTP inspection`,
    `From the peer's CLI: \`telnet ${c.appliance} ${cpqPort(c)}\`, type \`EHLO test\`: the reply must list STARTTLS`,
    `On ${c.appliance}: \`sslconfig\` — the inbound TLS methods must not be empty; \`commit\` after a change`,
  ],
  cpq_tls_failed: (c) => [
    `On ${c.appliance}: \`sslconfig\` — note the INBOUND methods and ciphers`,
    `On ${c.peer ?? 'the connecting appliance'}: \`sslconfig\` — the OUTBOUND methods and ciphers must share at least one protocol and cipher with them`,
    'Widen the narrower list (keep `:-aNULL` on the outbound one), then `commit`',
    'A TLS-intercepting middlebox on the path also breaks the handshake: exempt this traffic',
  ],
  cpq_tls_no_encryption: (c) => {
    const connecting = c.peer ?? 'the connecting appliance';
    return [
      `A NULL-encryption (eNULL) cipher was negotiated with ${c.appliance}: quarantined and released mail crosses the network in clear text`,
      `On ${connecting} (the connecting side): \`sslconfig\` → OUTBOUND: keep the methods, and append \`:-eNULL\` to the cipher list (with \`:-aNULL\`, e.g. \`ALL:-aNULL:-eNULL\`)`,
      `On ${connecting}: \`commit\``,
      `On ${c.appliance}: \`sslconfig\` → INBOUND: the cipher list should exclude \`eNULL\` too, so no peer can negotiate clear text`,
      `Confirm on ${connecting}: \`sslconfig\` shows the outbound list ending in \`:-eNULL\`; the next probe negotiates an encrypting suite`,
    ];
  },
  cpq_tls_anonymous: (c) => [
    `An anonymous (aNULL) cipher was negotiated: ${c.appliance} sent no certificate, so CPQ's certificate check fails ("verify error: no certificate from server")`,
    ...anonymousFix(c.peer ?? 'the connecting appliance'),
  ],
  cpq_cert_expired: (c) => [
    `On ${c.appliance}: \`certconfig\` lists the certificates with their expiry dates`,
    'A custom certificate assigned to the listener: import a renewed one (Network → Certificates), `commit`',
    'The built-in hidden CPQ certificate: upgrade AsyncOS to a release with a renewed one, or open a TAC case',
    `Check the clocks too: \`ntpconfig\` on ${c.appliance} and its peers`,
  ],
  cpq_cert_not_yet_valid: (c) => [
    `A certificate valid only in the future means a wrong clock: \`ntpconfig\` and \`status\` ("Status as of") on ${c.appliance}, and the monitor's clock`,
    `If the clocks are right, the certificate was issued with a future start: replace it (\`certconfig\`), \`commit\``,
  ],
  cpq_cert_expiring: (c) => [
    `On ${c.appliance}: \`certconfig\` lists the certificates with their expiry dates; plan the renewal before the date below`,
    'A custom certificate: import the renewed one (Network → Certificates), `commit`; the built-in CPQ certificate: upgrade AsyncOS or open a TAC case',
  ],
  cpq_cert_mismatch: (c) => [
    `${c.appliance} presented a certificate that the pinned fingerprints / CA in the inventory do not accept`,
    'A legitimately replaced appliance or certificate: confirm the new fingerprint on the console, then update `tls.pins` / `tls.caFile` in the inventory',
    'Otherwise suspect a TLS-intercepting device or a wrong address on the path: `cpq-monitor probe` from the peer network and compare fingerprints',
  ],
  cpq_tls_weak: (c) => [
    `On ${c.peer ?? 'the connecting appliance'} and ${c.appliance}: \`sslconfig\` — use TLS v1.2 (or newer) methods and a cipher list that excludes RC4, 3DES, EXPORT and MD5 (e.g. append \`:!RC4:!3DES:!EXPORT:!MD5\`), keep \`:-aNULL\``,
    'Then `commit` on each appliance changed',
  ],
  system_not_online: (c) => [
    `On ${c.appliance}: \`status detail\` — read "System status"${c.role === 'sma' ? ' and the services (Quarantine Service)' : ''}`,
    `Delivery Suspended: \`resumedel\`; Offline/Receiving Suspended: \`resume\`; then \`status\` must show Online`,
    ...(c.role === 'sma'
      ? [
          `A quarantine service that stays down on ${c.appliance}: restart the SMA in a window (\`reboot\`), cf. CSCus29647`,
        ]
      : []),
  ],
  listeners_suspended: (c) => [
    `On ${c.appliance}: \`resume\` (all listeners) or \`resumelistener\` → cpq_listener`,
    `Then \`status\` must show "System status: Online" and the CPQ port ${cpqPort(c)} must answer 220`,
    'Find who suspended it (`grep -e "suspend" cli_logs` or the admin who ran `suspend`/`suspendlistener`)',
  ],
  cpq_queue_backlog: (c) => [
    `On ${c.appliance}: \`tophosts 1\` — the row ${c.name ?? DEFAULTS.cpqQueueName} (active recipients; "*" = down at the last attempt)`,
    `Fix the path to ${c.peer ?? 'the SMA'} first (its listener probe and \`status\`); \`hoststatus\` does not work for this queue`,
    `Once ${c.peer ?? 'the SMA'} answers 220 on its CPQ port: \`delivernow\` retries the queue, then \`tophosts 1\` shows it shrinking`,
  ],
  release_queue_backlog: (c) => [
    `On ${c.appliance}: \`tophosts 1\` — the row ${c.name ?? DEFAULTS.releaseQueueName} (released messages waiting for the ESAs)`,
    `Check each ESA's CPQ listener (its probe findings) and ${SECURITY_APPLIANCES} → Test Connection (the SMA reads each ESA over SSH)`,
    `Once the ESAs answer: \`delivernow\` on ${c.appliance}, then \`tophosts 1\` shows the queue shrinking`,
  ],
  outbound_ciphers_allow_anonymous: (c) => [
    `${c.appliance}'s outbound cipher list can negotiate an anonymous (aNULL) suite: CPQ then fails with "no certificate from server"`,
    ...anonymousFix(c.appliance),
  ],
  cpq_tls_log_failures: (c) => [
    `On ${c.appliance}: \`grep -e "TLS failed" mail_logs\` — "no certificate from server" means an anonymous cipher: fix the outbound list below`,
    ...anonymousFix(c.appliance),
    `Other TLS errors: compare \`sslconfig\` on ${c.appliance} (OUTBOUND) with the receiving appliance (INBOUND)`,
  ],
  cpq_connection_errors: (c) => [
    `On ${c.appliance}: \`grep -e "Connection Error" mail_logs\` — the reason and the IP/port it could not reach`,
    `Check the peer's listener (its probe findings) and the network between them (TCP ${cpqPort(c)})`,
  ],
  application_fault: (c) => [
    `On ${c.appliance}: \`grep -i -e "application fault" mail_logs\` and \`status detail\``,
    c.role === 'sma'
      ? `CSCus29647: an internal SMA component stopped (SSH to the ESAs fails). Restart the SMA in a window: \`reboot\``
      : `If it repeats, restart ${c.appliance} in a window (\`reboot\`) and open a TAC case with the lines below`,
    `Then on the SMA: ${SECURITY_APPLIANCES} → Test Connection for each ESA`,
  ],
  ssh_unreachable: (c) =>
    c.code === 'session_failed'
      ? [
          `The connection to ${c.appliance} opened but no CLI session came up (the message says where it stopped): log in on the console or over SSH and run \`status detail\``,
          `On an SMA whose CLI hangs after login, or that logs application faults, this matches CSCus29647 (an internal component stopped): restart the SMA in a window (\`reboot\`)`,
          `Repeat the read by hand: ${readByHand(c, '--commands status')}`,
          `From the SMA: ${SECURITY_APPLIANCES} → ${c.appliance} → Test Connection`,
        ]
      : [
          c.code === 'dns_failed'
            ? `The monitor cannot resolve ${c.ssh?.host ?? c.appliance}: fix DNS, or put the IP address in the inventory's \`host\``
            : `Allow TCP ${c.ssh?.port ?? c.port ?? DEFAULTS.sshPort} (SSH) to ${c.appliance} from the monitor and the SMA: security groups, network ACLs, firewalls; SSH must be enabled on the interface (Network → IP Interfaces)`,
          `Confirm by hand: ${readByHand(c, '--print-host-key')} (no login; it only shows the key)`,
          `From the SMA: ${SECURITY_APPLIANCES} → ${c.appliance} → Test Connection`,
        ],
  ssh_auth_failed: (c) => [
    `${c.appliance} refused the monitor's account${c.ssh ? ` "${c.ssh.user}"` : ''}: \`userconfig\` on the appliance (account exists, not locked, password not expired)`,
    `Update the monitor's secret${c.ssh?.source ? ` (${c.ssh.source})` : ' (the Secrets Manager secret, environment variable or key file named in the inventory)'}`,
    `Confirm by hand: ${readByHand(c, '--commands status')}`,
  ],
  // One finding per credential source: `code` is its kind, `name` the source, `appliance` the
  // appliances it left unread (shared/findings/credential-rules.ts).
  ssh_credentials_unavailable: (c) => [
    `The monitor could not get its own SSH secret from ${credentialSource(c)}: nothing was sent to ${c.appliance}; the evidence gives the reason for each`,
    ...(c.code === 'secret'
      ? [
          `Does not exist (ResourceNotFoundException): create it under exactly this id, holding JSON \`{"password": "..."}\` or \`{"privateKey": "...", "passphrase": "..."}\` (\`aws secretsmanager create-secret --name ${c.name ?? '<id>'} --secret-string file://secret.json\`), or correct \`ssh.credentials.secretId\` in the inventory and redeploy`,
          'Not readable (AccessDeniedException): the SSH cycle function reads the secret ids of the inventory by name (redeploy after adding or changing one) or, with `deploy.sshSecrets`, the secrets under its prefix that carry its tag (tag the secret); a secret encrypted with a customer-managed KMS key also needs kms:Decrypt for that role in the key policy',
          'Does not parse / empty: put a `password` or `privateKey` string field in the JSON (or the plain password as the whole string)',
        ]
      : c.code === 'env'
        ? [
            `Set ${c.name ?? 'the variable named in `passwordEnv`'} (the SSH password) in the environment of the process that runs the monitor, e.g. \`export ${c.name ?? 'VAR'}=...\` in the shell that runs \`cpq-monitor check\``,
          ]
        : [
            `Make ${c.name ?? 'the key file'} exist and be readable by the monitor's user (a relative \`keyFile\` is resolved against the inventory file's folder); a key with a passphrase also needs the variable named in \`passphraseEnv\` set`,
          ]),
    'The next cycle that gets the secret reads every appliance again and recovers this one alert',
  ],
  ssh_host_key_mismatch: (c) => [
    `${c.appliance} presented an SSH host key that is not pinned: compare it with the key on the appliance's console, from a trusted network: ${readByHand(c, '--print-host-key')}`,
    'A replaced or reinstalled appliance: update `ssh.hostKeys` in the inventory (keep the old key listed until the change is done, for rotation)',
    `The SMA's own reads of ${c.appliance} fail the same way: ${SECURITY_APPLIANCES} → ${c.appliance} → Establish Connection again`,
    'If nothing was replaced, treat it as an interception attempt: do not update the pin',
  ],
  ssh_read_incomplete: (c) => [
    `Re-run the commands by hand and look at the raw output: ${readByHand(c, `--commands ${readCommandNames(c.name)} --json`)}`,
    'An unexpected prompt or a release with a different output layout: save the raw text, check it with `cpq-monitor parse KIND FILE`, and open an issue with it',
  ],
  cpq_port_mismatch: (c) => [
    `On ${c.appliance}: ${PVO_SMA} shows the CPQ port its cpq_listener uses`,
    `On ${c.peer ?? 'the ESA'}: ${PVO_ESA} must send to that port; change one side, \`commit\``,
    `Confirm from ${c.peer ?? 'the ESA'}'s CLI: \`telnet ${c.appliance} ${c.port ?? '<port>'}\` prints a 220 banner`,
  ],
  cpq_relay_denied: (c) => [
    `On ${c.appliance}: \`showconfig\` → cpq_listener → RELAYLIST must list ${c.peer ?? 'the peer'}'s address (others fall to $BLOCKED → REJECT)`,
    `Register the peer with the address it connects from: on the SMA ${SECURITY_APPLIANCES} (add/edit the ESA, Establish Connection), on the ESA disable and re-enable ${PVO_ESA}`,
    `Confirm: \`grep -e "REJECT" mail_logs\` on ${c.appliance} shows no new rejections of ${c.peer ?? 'the peer'}`,
  ],
  cluster_interface_missing: (c) => [
    `On ${c.appliance}: \`interfaceconfig\` — the interface "${c.name ?? '?'}" chosen for the quarantine at cluster level is not there`,
    `Add it on ${c.appliance} (Network → IP Interfaces, same name), or choose an interface every machine has in ${PVO_ESA}; \`commit\``,
  ],
  intermittent: (c) => [
    `Treat it as ${c.name ?? 'the failing check'} on ${c.appliance}, seen only part of the time: follow that check's runbook section, and look for what changes between cycles`,
    'Usual suspects: a listener or interface restarting, one of several addresses behind the name failing (DNS round robin, a load balancer), a firewall or NAT table filling up, an appliance under load (`status`, `tophosts`)',
    `The failing cycles and their causes are in the evidence; \`cpq-monitor check --watch 60\` against ${c.appliance} shows each cycle`,
  ],
};

/** The fix for one check, with names filled in. */
export function remediationFor(check: CheckName, ctx: FixContext): string[] {
  return FIXES[check](ctx);
}
