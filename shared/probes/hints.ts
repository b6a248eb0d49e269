/** What to do about each probe code: one line for on-call, shown by the CLI (docs/probe.md says more). */
import type { ProbeCode, ProbeWarning } from './types';

export const PROBE_HINTS: Record<ProbeCode | ProbeWarning, string> = {
  ok: 'Nothing to do.',
  dns_failed: 'Check the name in the inventory and the resolver of the machine running the probe.',
  connect_refused:
    'The port is closed: run `status` on the appliance; if listeners are suspended run `resume` (or `resumelistener`), and check the CPQ port in the PVO quarantine settings.',
  connect_timeout:
    'Packets are dropped: check firewalls and routes between the appliances for the CPQ port (default 7025) and that the interface chosen for PVO has this address.',
  connect_failed:
    'The network refused the connection (unreachable host or network): check routing and the interface address.',
  banner_timeout:
    'The port accepts connections but no 220 greeting came: the appliance may be overloaded, or something else (a proxy, an inspection device) answers on this port.',
  banner_rejected:
    'The listener refused the session (421/554): check that this host is in the cpq_listener RELAYLIST, and the appliance load and status.',
  protocol_error:
    'Something that is not an SMTP/CPQ listener answers on this port, or the connection is cut: check what listens there.',
  ehlo_rejected: 'The listener rejected EHLO: check the HAT of cpq_listener (RELAYLIST) for this host.',
  starttls_not_offered:
    'TLS is not offered: the CPQ listener always offers STARTTLS, so this port is probably not the cpq_listener (check the port), or TLS was disabled on it.',
  starttls_rejected:
    'STARTTLS was refused (e.g. 454): check the certificate assigned to the listener and `sslconfig` on the appliance.',
  tls_handshake_failed:
    "No common TLS protocol or cipher, or the connection was cut in the handshake: compare both appliances' `sslconfig` (methods and cipher lists).",
  tls_no_encryption:
    "A NULL-encryption (eNULL) cipher was negotiated, so mail crosses in clear text: append :-eNULL to the connecting appliance's OUTBOUND cipher list (`sslconfig`), then `commit`.",
  tls_no_certificate:
    "An anonymous (aNULL) cipher was negotiated: append :-aNULL to the connecting appliance's OUTBOUND cipher list (`sslconfig`), then `commit`.",
  cert_expired: 'Renew the appliance certificate (Network > Certificates) and assign it to the listener.',
  cert_not_yet_valid:
    "Check the clock (NTP) of the appliance and of the probe, or the certificate's start date.",
  cert_untrusted:
    'The certificate does not chain to the configured CA or does not name the host: fix the CA bundle, the servername, or the certificate.',
  cert_pin_mismatch:
    'The listener presents a different certificate than pinned: confirm the change was intended (renewal) and update the pin, or investigate.',
  cert_expiring: 'Plan the certificate renewal before it expires.',
  weak_tls_protocol: 'Allow TLS 1.2 or newer in `sslconfig` on both appliances.',
  weak_cipher: 'Remove RC4, 3DES, NULL, EXPORT and MD5 suites from the cipher lists (`sslconfig`).',
};

/** The on-call hint for a code or warning. */
export function probeHint(code: ProbeCode | ProbeWarning): string {
  return PROBE_HINTS[code];
}
