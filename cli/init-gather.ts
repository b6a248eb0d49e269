/**
 * What `init` and `init --check` learn from the appliances: each host key fetched and confirmed
 * (typed `yes`, pinned, or accepted by flag), each confirmed appliance read over the read-only
 * session and its CPQ listener probed, and, when asked, each certificate pinned. One host's
 * failure never stops the others; it is recorded on its reading.
 */
import { createInterface } from 'node:readline';
import pLimit from 'p-limit';
import { firstFacts } from '../shared/asyncos/commands';
import { fetchHostKey, type HostKeyResult, type ReaderDeps, readAppliance } from '../shared/asyncos/reader';
import type { CommandRequest, SshAuth } from '../shared/asyncos/types';
import { errorMessage } from '../shared/errors';
import type { HostReading } from '../shared/onboarding/discover';
import { PROBE_DEFAULTS } from '../shared/prober/listener-defaults';
import { probeListener } from '../shared/probes/probe';
import { cpqListenerOf } from '../shared/read-view';
import { printable, terminalText } from '../shared/text';

/** What init reads on every appliance: the read-only allow-list's configuration commands. */
export const INIT_COMMANDS: CommandRequest[] = [
  { name: 'version' },
  { name: 'status' },
  { name: 'showconfig' },
  { name: 'sslconfig' },
  { name: 'listenerconfig' },
  { name: 'interfaceconfig' },
];

/** Answers typed by the operator, one line per question; null once the input has ended. */
export interface Prompter {
  ask(question: string): Promise<string | null>;
  close(): void;
}

/** A prompter over a stream (stdin): questions go to `out`, lines are buffered so none is lost. */
export function streamPrompter(input: NodeJS.ReadableStream, out: NodeJS.WritableStream): Prompter {
  const rl = createInterface({ input, terminal: false });
  const it = rl[Symbol.asyncIterator]();
  let ended = false;
  return {
    async ask(question) {
      out.write(terminalText(question));
      if (ended) return null;
      const next = await it.next();
      if (next.done) {
        ended = true;
        out.write('\n');
        return null;
      }
      // A piped answer is not echoed by a terminal: show it, so the transcript reads as a dialogue.
      if (!(input as { isTTY?: boolean }).isTTY) out.write(`${terminalText(next.value.trim())}\n`);
      return next.value.trim();
    },
    close() {
      rl.close();
    },
  };
}

/**
 * A yes/no question whose default is no: `y`/`yes` is yes, `n`/`no` or an empty line is no (any
 * case); anything else is asked again, so a typo never decides. The end of the input is no.
 */
export async function askYesNo(p: Prompter, question: string): Promise<boolean> {
  let q = question;
  for (;;) {
    const answer = await p.ask(q);
    if (answer === null) return false;
    const a = answer.trim().toLowerCase();
    if (a === 'y' || a === 'yes') return true;
    if (a === '' || a === 'n' || a === 'no') return false;
    q = `  Please answer y (yes) or n (no): `;
  }
}

/** The readings of every target, and the host key each presented (null when none was seen). */
export interface Gathered {
  readings: HostReading[];
  seenKeys: Map<string, string | null>;
}

/** One host to read. */
export interface GatherTarget {
  host: string;
  port: number;
  name?: string;
  auth: () => Promise<SshAuth>;
  user: string;
  pins: string[];
}

export interface GatherOptions {
  targets: GatherTarget[];
  accept: string[] | undefined;
  prompter: Prompter | null;
  log: (text: string) => void;
  timeoutMs: number;
  concurrency: number;
  pinCertificates: 'all' | 'ask' | 'none';
  /** Ports to probe when no read says otherwise (the inventory's, in --check). */
  fallbackCpqPort?: (i: number) => number;
  deps?: ReaderDeps;
}

/** Fetches host keys, confirms them, reads and probes. Never throws for one host's failure. */
export async function gather(o: GatherOptions): Promise<Gathered> {
  const limit = pLimit(o.concurrency);
  const keys = await Promise.all(
    o.targets.map((t) =>
      limit(() =>
        fetchHostKey({ host: t.host, port: t.port, timeoutMs: Math.min(o.timeoutMs, 15_000) }, o.deps ?? {}),
      ),
    ),
  );
  const readings: HostReading[] = o.targets.map((t) => ({
    target: { host: t.host, port: t.port },
    ...(t.name !== undefined ? { name: t.name } : {}),
    hostKey: null,
    read: null,
    probe: null,
  }));
  const seenKeys = new Map<string, string | null>();
  // Confirmation, one host at a time (the operator answers in order).
  for (const [i, t] of o.targets.entries()) {
    seenKeys.set(t.name ?? `${t.host}:${t.port}`, keys[i]!.hostKey);
    await confirmHostKey(o, t, keys[i]!, readings[i]!);
  }
  await Promise.all(o.targets.map((t, i) => limit(() => readAndProbe(o, t, readings[i]!, i))));
  await decideCertificatePins(o, readings);
  return { readings, seenKeys };
}

/** Sets `r.hostKey` when the key is pinned, accepted by flag or confirmed by the operator. */
async function confirmHostKey(o: GatherOptions, t: GatherTarget, k: HostKeyResult, r: HostReading) {
  const where = `${t.host}:${t.port}`;
  if (k.status !== 'ok') {
    r.notRead = { code: k.code, message: `unreachable: ${printable(k.message)}` };
    o.log(`${where}: ${k.code}: ${printable(k.message)}\n`);
    return;
  }
  if (t.pins.includes(k.hostKey) || o.accept?.includes(k.hostKey)) {
    r.hostKey = k.hostKey;
    o.log(
      `${where}: host key ${k.hostKey} (${t.pins.includes(k.hostKey) ? 'pinned in the inventory' : 'accepted by --accept-host-keys'})\n`,
    );
    return;
  }
  if (o.accept !== undefined || o.prompter === null) {
    r.notRead = {
      code: 'host_key_not_accepted',
      message: `presents host key ${k.hostKey}, which is not ${t.pins.length > 0 ? 'pinned in the inventory nor ' : ''}among --accept-host-keys: compare it with a fingerprint taken out of band (docs/onboarding.md#host-keys) and pass it with --accept-host-keys`,
    };
    o.log(`${where}: REFUSED host key ${k.hostKey}: not among the accepted keys\n`);
    return;
  }
  // Trusting a host key takes the whole word: a stray `y` must not pin an unchecked key.
  const answer = await o.prompter.ask(
    `${where} presents the SSH host key (${k.presented.type})\n    ${k.hostKey}\n    ${k.presented.md5}  (the same key in the MD5 form some consoles print)\n  Compare it with the fingerprint taken out of band: on the appliance console, logconfig > hostkeyconfig > fingerprint (docs/onboarding.md#host-keys).\n  Type yes to trust it: `,
  );
  if (answer === 'yes') r.hostKey = k.hostKey;
  else {
    r.notRead = { code: 'host_key_refused', message: `the operator did not confirm host key ${k.hostKey}` };
    o.log(`${where}: host key not confirmed; not read\n`);
  }
}

/** Reads one confirmed appliance and probes the CPQ listener its configuration names. */
async function readAndProbe(o: GatherOptions, t: GatherTarget, r: HostReading, i: number): Promise<void> {
  if (r.hostKey === null) return;
  let auth: SshAuth;
  try {
    auth = await t.auth();
  } catch (err) {
    r.notRead = { code: 'credentials_unavailable', message: errorMessage(err) };
    r.hostKey = null;
    return;
  }
  const read = await readAppliance(
    {
      host: t.host,
      port: t.port,
      username: t.user,
      auth,
      hostKeys: [...new Set([r.hostKey, ...t.pins])],
      commands: INIT_COMMANDS,
      timeoutMs: o.timeoutMs,
    },
    o.deps ?? {},
  );
  if (Object.keys(read.commands).length === 0) {
    r.notRead = { code: read.code, message: printable(read.message) };
    r.hostKey = null;
    return;
  }
  r.read = read;
  const showconfig = firstFacts(read, 'showconfig');
  const listener = showconfig ? cpqListenerOf(showconfig.listeners) : null;
  const port = listener?.port || o.fallbackCpqPort?.(i) || PROBE_DEFAULTS.port;
  r.probe = await probeListener({
    host: t.host,
    port,
    timeoutMs: Math.min(o.timeoutMs, PROBE_DEFAULTS.timeoutMs),
  });
}

/** Marks the certificates to pin: all, none, or each as the operator answers. */
async function decideCertificatePins(o: GatherOptions, readings: HostReading[]): Promise<void> {
  for (const r of readings) {
    const cert = r.probe?.tls?.certificate?.fingerprint256;
    if (r.read === null || cert === undefined) continue;
    if (o.pinCertificates === 'all') r.pinCertificate = true;
    else if (o.pinCertificates === 'ask' && o.prompter !== null) {
      r.pinCertificate = await askYesNo(
        o.prompter,
        `${r.target.host}:${r.probe!.port} (CPQ listener) presents the certificate ${printable(r.probe!.tls!.certificate!.subject)}\n    SHA-256 ${cert}\n  Pin it (tls.pins)? [y/N]: `,
      );
    }
  }
}
