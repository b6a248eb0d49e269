/**
 * What on-call types or clicks to fix each check, in order (AsyncOS CLI commands and GUI
 * settings from ../shared/DOMAIN.md). Texts only; the rules pick them and fill in names.
 */
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
    `If status is Online: check the PVO quarantine is enabled and on port ${c.port ?? 7025} in ${pvoSetting(c.role)}`,
    `From the peer's CLI: \`telnet ${c.appliance} ${c.port ?? 7025}\` must print a 220 banner`,
  ],
  cpq_listener_unreachable: (c) =>
    c.code === 'dns_failed'
      ? [
          `The monitor cannot resolve ${c.appliance}'s host name: fix the DNS record or put the address in the inventory (\`host\`/\`address\`)`,
          `From the peer's CLI: \`nslookup\` the same name — the appliances resolve it too`,
        ]
      : [
          `Allow TCP ${c.port ?? 7025} to ${c.appliance} from its peers (and the monitor): security groups, network ACLs, firewalls on the way`,
          `On ${c.appliance}: \`interfaceconfig\` — the interface chosen for the quarantine in ${pvoSetting(c.role)} must exist and own the probed address (Network → IP Interfaces)`,
          `From the peer's CLI: \`ping\`/\`traceroute\` ${c.appliance}, then \`telnet ${c.appliance} ${c.port ?? 7025}\` must print a 220 banner`,
        ],
  cpq_banner_invalid: (c) => [
    ...(c.code === 'banner_rejected'
      ? [
          `A 554 greeting is the HAT rejecting the connecting address: it must be in cpq_listener's RELAYLIST (\`showconfig\` on ${c.appliance})`,
          `A 421 greeting means ${c.appliance} is refusing for now (connection limit, shutting down): \`status\` and \`status detail\``,
        ]
      : []),
    'A firewall that inspects SMTP (e.g. Cisco ASA `inspect esmtp`) garbles or delays the banner: exempt TCP ' +
      `${c.port ?? 7025} between the appliances (\`no inspect esmtp\` for that traffic)`,
    `From the peer's CLI: \`telnet ${c.appliance} ${c.port ?? 7025}\` must print one clean 220 line`,
  ],
  cpq_starttls_unavailable: (c) => [
    `A firewall inspecting SMTP strips STARTTLS from the EHLO reply: exempt TCP ${c.port ?? 7025} between the appliances from SMTP/ESMTP inspection`,
    `From the peer's CLI: \`telnet ${c.appliance} ${c.port ?? 7025}\`, type \`EHLO test\`: the reply must list STARTTLS`,
    `On ${c.appliance}: \`sslconfig\` — the inbound TLS methods must not be empty; \`commit\` after a change`,
  ],
  cpq_tls_failed: (c) => [
    `On ${c.appliance}: \`sslconfig\` — note the INBOUND methods and ciphers`,
    `On ${c.peer ?? 'the connecting appliance'}: \`sslconfig\` — the OUTBOUND methods and ciphers must share at least one protocol and cipher with them`,
    'Widen the narrower list (keep `:-aNULL` on the outbound one), then `commit`',
    'A TLS-intercepting middlebox on the path also breaks the handshake: exempt this traffic',
  ],
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
    `Then \`status\` must show "System status: Online" and the CPQ port ${c.port ?? 7025} must answer 220`,
    'Find who suspended it (`grep -e "suspend" cli_logs` or the admin who ran `suspend`/`suspendlistener`)',
  ],
  cpq_queue_backlog: (c) => [
    `On ${c.appliance}: \`tophosts 1\` — the row ${c.name ?? 'the.cpq.host'} (active recipients; "*" = down at the last attempt)`,
    `Fix the path to ${c.peer ?? 'the SMA'} first (its listener probe and \`status\`); \`hoststatus\` does not work for this queue`,
    `Once ${c.peer ?? 'the SMA'} answers 220 on its CPQ port: \`delivernow\` retries the queue, then \`tophosts 1\` shows it shrinking`,
  ],
  release_queue_backlog: (c) => [
    `On ${c.appliance}: \`tophosts 1\` — the row ${c.name ?? 'the.cpq.release.host'} (released messages waiting for the ESAs)`,
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
    `Check the peer's listener (its probe findings) and the network between them (TCP ${c.port ?? 7025})`,
  ],
  application_fault: (c) => [
    `On ${c.appliance}: \`grep -i -e "application fault" mail_logs\` and \`status detail\``,
    c.role === 'sma'
      ? `CSCus29647: an internal SMA component stopped (SSH to the ESAs fails). Restart the SMA in a window: \`reboot\``
      : `If it repeats, restart ${c.appliance} in a window (\`reboot\`) and open a TAC case with the lines below`,
    `Then on the SMA: ${SECURITY_APPLIANCES} → Test Connection for each ESA`,
  ],
  ssh_unreachable: (c) => [
    c.code === 'dns_failed'
      ? `The monitor cannot resolve ${c.appliance}: fix DNS or set the address in the inventory`
      : `Allow TCP ${c.port ?? 22} (SSH) to ${c.appliance} from the monitor and the SMA; SSH must be enabled on the interface (Network → IP Interfaces)`,
    ...(c.code === 'session_failed'
      ? [
          `The connection opened but no CLI session came up: \`status detail\` on the console of ${c.appliance}; on an SMA this is CSCus29647 (restart it)`,
        ]
      : []),
    `From the SMA: ${SECURITY_APPLIANCES} → ${c.appliance} → Test Connection`,
  ],
  ssh_auth_failed: (c) => [
    `The monitor's account was refused by ${c.appliance}: \`userconfig\` on the appliance (account exists, not locked, password not expired)`,
    "Update the monitor's secret (Secrets Manager secret / environment variable / key file named in the inventory)",
  ],
  ssh_host_key_mismatch: (c) => [
    `${c.appliance} presented an SSH host key that is not pinned: confirm it on the console (\`cpq-monitor read ${c.appliance} --print-host-key\` from a trusted network)`,
    'A replaced or reinstalled appliance: update `ssh.hostKeys` in the inventory',
    `The SMA's own reads of ${c.appliance} fail the same way: ${SECURITY_APPLIANCES} → ${c.appliance} → Establish Connection again`,
    'If nothing was replaced, treat it as an interception attempt: do not update the pin',
  ],
  ssh_read_incomplete: (c) => [
    `Re-run the read by hand: \`cpq-monitor read ${c.appliance} --commands ${c.name ?? 'status'} --json\` and look at the raw output`,
    'An unexpected prompt or a release with a different output layout: open an issue with the raw text',
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
};

/** The fix for one check, with names filled in. */
export function remediationFor(check: CheckName, ctx: FixContext): string[] {
  return FIXES[check](ctx);
}
