/** The appliance's logs: `mail_logs` lines and `grep -e "PATTERN" LOG` over them. */
import { cipherListAllowsAnonymous } from '../../shared/tls/ciphers';
import type { ApplianceState } from '../appliance-state';
import { asctime } from './format';

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
