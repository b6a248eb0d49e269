/**
 * `cpq-monitor probe HOST[:PORT]`: one CPQ listener probe, as a readable report or, with --json,
 * exactly the ProbeResult object. Exit codes: 0 ok, 1 warning, 2 critical, 3 bad arguments.
 */
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { ConfigError, errorMessage } from '../shared/errors';
import { PROBE_DEFAULTS } from '../shared/prober/listener-defaults';
import { checkProbeOptions, type ProbeOptionField, probeHint, probeListener } from '../shared/probes';
import type { ProbeOptions, ProbeResult } from '../shared/probes/types';
import { caBundleProblem, certificateBlocks, readCaFile } from '../shared/tls/ca-bundle';
import { clientTlsSettings } from '../shared/tls/client-context';
import { normalizeFingerprint256 } from '../shared/tls/fingerprint';
import { isTlsVersion, TLS_VERSIONS, type TlsVersion } from '../shared/tls/versions';
import { collect, exitCodeFor, formatMs, intOption, parseTarget, printJson, println } from './output';

function tlsVersion(flag: string) {
  return (value: string): TlsVersion => {
    if (!isTlsVersion(value)) {
      throw new ConfigError(`${flag} must be one of ${TLS_VERSIONS.join(', ')}, not "${value}"`);
    }
    return value;
  };
}

interface ProbeFlags {
  port?: number;
  ciphers?: string;
  tlsMin?: TlsVersion;
  tlsMax?: TlsVersion;
  pin?: string[];
  ca?: string;
  servername?: string;
  ehlo?: string;
  timeout?: number;
  expiryWarnDays?: number;
  json?: boolean;
}

/** The command-line option behind each probe option, so every option error names it. */
const PROBE_OPTION_FLAGS: Record<ProbeOptionField, string> = {
  ciphers: '--ciphers',
  minVersion: '--tls-min',
  maxVersion: '--tls-max',
  ca: '--ca',
};

/** Turns the command line into probe options; every problem is a ConfigError (exit 3). */
export function probeOptionsFromFlags(target: string, flags: ProbeFlags): ProbeOptions {
  const parsed = parseTarget(target);
  if (parsed.port !== undefined && flags.port !== undefined && parsed.port !== flags.port) {
    throw new ConfigError(
      `the port is given twice with different values (${parsed.port} and --port ${flags.port})`,
    );
  }
  const pins = (flags.pin ?? []).map((p) => {
    const n = normalizeFingerprint256(p);
    if (n === null)
      throw new ConfigError(`--pin "${p}" is not a SHA-256 fingerprint (64 hex digits, colons optional)`);
    return n;
  });
  let ca: string | undefined;
  if (flags.ca !== undefined) {
    try {
      ca = readCaFile(flags.ca);
    } catch (err) {
      throw new ConfigError(`--ca ${flags.ca}: cannot read the file (${errorMessage(err)})`);
    }
    const refused = caBundleProblem(ca);
    if (refused !== undefined) throw new ConfigError(`--ca ${flags.ca}: ${refused}`);
    ca = certificateBlocks(ca);
  }
  const opts: ProbeOptions = {
    host: parsed.host,
    port: flags.port ?? parsed.port ?? PROBE_DEFAULTS.port,
    ...(flags.ciphers !== undefined ? { ciphers: flags.ciphers } : {}),
    ...(flags.tlsMin !== undefined ? { minVersion: flags.tlsMin } : {}),
    ...(flags.tlsMax !== undefined ? { maxVersion: flags.tlsMax } : {}),
    ...(pins.length > 0 ? { pins } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(flags.servername !== undefined ? { servername: flags.servername } : {}),
    ...(flags.ehlo !== undefined ? { ehloName: flags.ehlo } : {}),
    ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
    ...(flags.expiryWarnDays !== undefined ? { expiryWarnDays: flags.expiryWarnDays } : {}),
  };
  const problem = checkProbeOptions(opts);
  if (problem) throw new ConfigError(`${PROBE_OPTION_FLAGS[problem.field]}: ${problem.message}`);
  return opts;
}

/** The human report of one probe. */
export function formatProbeReport(r: ProbeResult, opts: ProbeOptions): string {
  const lines: string[] = [];
  const where = `${isIP(r.host) === 6 ? `[${r.host}]` : r.host}:${r.port}`;
  lines.push(`CPQ listener ${where}${r.address && r.address !== r.host ? ` (${r.address})` : ''}`);
  const failedPhase = r.status === 'critical' ? r.phase : null;
  const t = r.timings;
  const phases: Array<[string, number | undefined, string]> = [
    ['dns', t.dnsMs, r.address ?? ''],
    ['connect', t.connectMs, ''],
    ['banner', t.bannerMs, r.banner?.split('\n').at(-1) ?? ''],
    ['ehlo', t.ehloMs, r.extensions.join(', ')],
    ['starttls', t.starttlsMs, t.starttlsMs !== undefined && failedPhase !== 'starttls' ? '220' : ''],
    ['tls', t.tlsMs, r.tls ? `${r.tls.protocol} ${r.tls.cipher}` : ''],
  ];
  for (const [name, ms, detail] of phases) {
    if (ms === undefined && failedPhase !== name) continue;
    const mark = failedPhase === name ? 'FAILED' : 'ok';
    lines.push(`  ${name.padEnd(9)} ${formatMs(ms).padStart(9)}  ${mark.padEnd(6)} ${detail}`.trimEnd());
  }
  lines.push(`  ${'total'.padEnd(9)} ${formatMs(t.totalMs).padStart(9)}`);

  if (r.tls) {
    const c = r.tls.certificate;
    lines.push('TLS');
    lines.push(`  protocol     ${r.tls.protocol}`);
    lines.push(
      `  cipher       ${r.tls.cipher}${r.tls.anonymous ? '  (ANONYMOUS: no certificate is sent)' : ''}`,
    );
    if (c) {
      lines.push(`  subject      ${c.subject}`);
      lines.push(`  issuer       ${c.issuer}`);
      if (c.subjectAltNames.length > 0) lines.push(`  names        ${c.subjectAltNames.join(', ')}`);
      lines.push(`  SHA-256      ${c.fingerprint256}`);
      lines.push(`  valid        ${c.validFrom} to ${c.validTo} (${c.daysRemaining} days left)`);
    } else {
      lines.push('  certificate  none');
    }
    const trust =
      opts.pins && opts.pins.length > 0 ? 'pinned fingerprint' : opts.ca !== undefined ? 'CA bundle' : null;
    lines.push(
      `  verified     ${
        r.tls.verified
          ? `yes (${trust})`
          : trust
            ? `no${r.tls.verifyError ? ` (${r.tls.verifyError})` : ''}`
            : 'not checked (no --pin or --ca)'
      }`,
    );
  }
  for (const note of clientTlsSettings(opts).notes) lines.push(`Note: ${note}.`);
  lines.push('');
  lines.push(
    `${r.status.toUpperCase()} ${r.code}${r.warnings.length > 0 ? ` (${r.warnings.join(', ')})` : ''}: ${r.message}`,
  );
  const hints = r.status === 'critical' ? [probeHint(r.code)] : r.warnings.map((w) => probeHint(w));
  for (const h of hints) lines.push(`Hint: ${h}`);
  return lines.join('\n');
}

/** Registers `probe` on the program. */
export function register(program: Command): void {
  program
    .command('probe')
    .description(
      'Probe one CPQ listener as an appliance would: TCP, 220, EHLO, STARTTLS, TLS, certificate checks',
    )
    .argument('<host[:port]>', 'host name or IP address, optionally with :PORT ([IPv6]:PORT)')
    .option('--port <n>', `TCP port (default ${PROBE_DEFAULTS.port})`, intOption('--port', 1, 65535))
    .option('--ciphers <list>', "OpenSSL cipher string to offer, e.g. the appliance's outbound list")
    .option(
      '--tls-min <version>',
      'lowest TLS version offered (TLSv1 ... TLSv1.3; default TLSv1.2)',
      tlsVersion('--tls-min'),
    )
    .option(
      '--tls-max <version>',
      'highest TLS version offered (TLSv1 ... TLSv1.3; default TLSv1.3, or TLSv1.2 when --ciphers allows anonymous suites)',
      tlsVersion('--tls-max'),
    )
    .option('--pin <sha256>', 'pinned certificate SHA-256 fingerprint (repeatable)', collect)
    .option('--ca <file>', 'CA bundle (PEM) to verify the certificate against')
    .option('--servername <name>', 'SNI and the name the certificate must carry (with --ca)')
    .option('--ehlo <name>', 'name sent in EHLO (default: this host name)')
    .option(
      '--timeout <ms>',
      `overall deadline in ms (default ${PROBE_DEFAULTS.timeoutMs})`,
      intOption('--timeout', 1, 600_000),
    )
    .option(
      '--expiry-warn-days <n>',
      `warn when the certificate expires within N days (default ${PROBE_DEFAULTS.expiryWarnDays})`,
      intOption('--expiry-warn-days', 0, 3650),
    )
    .option('--json', 'print the result object as JSON')
    .action(async (target: string, flags: ProbeFlags) => {
      const opts = probeOptionsFromFlags(target, flags);
      const result = await probeListener(opts);
      if (flags.json) printJson(result, 2);
      else println(formatProbeReport(result, opts));
      process.exitCode = exitCodeFor(result.status);
    });
}
