/** Formatting helpers shared by the CLI commands: exit codes, tables, numbers, argument parsers. */
import { isIP } from 'node:net';
import Table from 'cli-table3';
import { ConfigError, EXIT, type Status } from '../shared/errors';
import { inertJson, terminalText } from '../shared/text';

/** Monitoring-plugin exit code of a status (0 ok, 1 warning, 2 critical). */
export function exitCodeFor(status: Status): number {
  return EXIT[status];
}

/** A plain-text table (no colours, so it survives pipes and logs). */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true });
  for (const row of rows) t.push(row.map((c) => String(c)));
  return t.toString();
}

/** Milliseconds for people: `0.42 ms`, `12.3 ms`, `1.52 s`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Commander parser for an integer option within [min, max]; a bad value is a usage error (exit 3). */
export function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new ConfigError(`${name} must be a whole number, not "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, not ${n}`);
    return n;
  };
}

/** Commander collector for repeatable options (`--pin A --pin B`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Writes text for a person to stdout. Appliances and peers supply much of what is printed
 * (banners, certificate subjects, CLI output), so escape sequences and control characters other
 * than line breaks are removed here, once, for every command.
 */
export function println(text = ''): void {
  process.stdout.write(`${terminalText(text)}\n`);
}

/** Writes a JSON document to stdout: lossless, with every character a terminal could act on escaped. */
export function printJson(value: unknown, indent?: number): void {
  process.stdout.write(`${inertJson(value, indent)}\n`);
}

/** Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal. */
export function parseTarget(target: string): { host: string; port?: number } {
  const t = target.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracketed) return { host: bracketed[1]!, ...(bracketed[2] ? { port: parsePort(bracketed[2]) } : {}) };
  if (isIP(t) === 6) return { host: t };
  const m = /^([^:]+):(\d+)$/.exec(t);
  if (m) return { host: m[1]!, port: parsePort(m[2]!) };
  if (t === '' || t.includes(':'))
    throw new ConfigError(`cannot read "${target}" as HOST, HOST:PORT or [IPv6]:PORT`);
  return { host: t };
}

function parsePort(text: string): number {
  return intOption('the port', 1, 65535)(text);
}
