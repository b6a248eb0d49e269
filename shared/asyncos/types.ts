/**
 * The contract of the read-only AsyncOS SSH reader and its parsers (docs/ssh.md).
 * Field names and codes are part of `cpq-monitor read|parse --json`: extend, never rename.
 */
import type { Status } from '../errors';
import type { CommandRequest } from './commands';

// The command vocabulary comes from the registry of commands.
export type { CommandName, CommandRequest, ParsedByCommand } from './commands';

export type ReadCode =
  | 'ok'
  | 'dns_failed'
  | 'connect_refused'
  | 'connect_timeout'
  | 'host_key_mismatch'
  | 'auth_failed'
  | 'session_failed'
  | 'command_timeout'
  | 'unexpected_output'
  /** The appliance asked a question the command is not known to ask; nothing was typed at it. */
  | 'unexpected_prompt'
  /** The monitor could not get its own SSH secret: no connection was attempted. */
  | 'credentials_unavailable';

export type SshAuth = { password: string } | { privateKey: string | Buffer; passphrase?: string };

export interface ReadOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  auth: SshAuth;
  /** Pinned host keys as OpenSSH prints them (`SHA256:` + unpadded base64). At least one. */
  hostKeys: string[];
  commands: CommandRequest[];
  /** Deadline for the whole session in ms; default 30000. */
  timeoutMs?: number;
  /** Deadline per command in ms (inside the session's); default 15000. */
  commandTimeoutMs?: number;
  /** Most bytes kept per command before it is cut off; default 4 MiB. */
  maxOutputBytes?: number;
  /** Name of the ESA's queue toward its SMA in `tophosts`; default `the.cpq.host`. */
  cpqQueueName?: string;
  /** Name of the SMA's queue of released messages in `tophosts`; default `the.cpq.release.host`. */
  releaseQueueName?: string;
  /**
   * Ends the read at once when aborted (the CLI's Ctrl-C): the SSH connection is destroyed and the
   * read settles as `session_failed` saying it was interrupted, which says nothing about the appliance.
   */
  signal?: AbortSignal;
}

/** Result of one command: its raw text always kept, its facts when the parser understood it. */
export interface CommandResult<T = unknown> {
  status: Status;
  code: ReadCode;
  message: string;
  /**
   * For a command that gave no facts: its cause in a few words, for a page's first line (e.g.
   * `stopped at "Really commit and reboot? [Y]>"`, `no prompt within the command timeout`).
   */
  cause?: string;
  parsed: T | null;
  raw: string;
}

/** One SSH session to one appliance. Never thrown; always returned. */
export interface ReadResult {
  host: string;
  port: number;
  status: Status;
  code: ReadCode;
  message: string;
  /** The host key fingerprint the server presented (`SHA256:...`), when one was seen. */
  hostKey: string | null;
  startedAt: string;
  timings: { connectMs?: number; totalMs: number };
  /**
   * Keyed by the command line as given (`status detail`, `tophosts 1`, `grep`...). Walk it with
   * `parsedCommands` (./commands) to get each command's facts typed by its command.
   */
  commands: Record<string, CommandResult>;
}

// ---- Parsed facts, one interface per parser ----------------------------------------------

export interface StatusFacts {
  /** `esa` for the mail appliance layout, `sma` for the management appliance's. */
  variant: 'esa' | 'sma';
  /** `System status:` as shown, e.g. `Online`, `Receiving Suspended`, `Offline`. */
  systemStatus: string;
  online: boolean;
  receivingSuspended: boolean;
  deliverySuspended: boolean;
  statusAsOf: string | null;
  upSince: string | null;
  /** `Oldest Message:` as shown, null when absent or `No Messages`. */
  oldestMessage: string | null;
  /** Counter rows by label (nested labels as shown, trimmed). */
  counters: Record<string, { reset: number | null; uptime: number | null; lifetime: number | null }>;
  /** Gauge rows by label; the PVO quarantine gauge is `Messages In Quarantine: Policy, Virus and Outbreak`. */
  gauges: Record<string, number>;
  activeRecipients: number | null;
  workQueue: number | null;
  /** Messages in the Policy, Virus and Outbreak quarantine. */
  pvoQuarantineMessages: number | null;
  /** SMA only: service name → state as shown (e.g. `Quarantine Service` → `Up`). */
  services: Record<string, string>;
}

export interface TophostsRow {
  rank: number;
  host: string;
  /** Marked `*`: down as of the last delivery attempt. */
  down: boolean;
  activeRecipients: number;
  connectionsOut: number;
  deliveredRecipients: number;
  softBounced: number;
  hardBounced: number;
}

export interface TophostsFacts {
  statusAsOf: string | null;
  rows: TophostsRow[];
  /** The ESA's queue toward its SMA (default name `the.cpq.host`), when listed. */
  cpqQueue: TophostsRow | null;
  /** The SMA's queue of released messages (default name `the.cpq.release.host`), when listed. */
  releaseQueue: TophostsRow | null;
  /** Rows that did not parse (truncated or unknown layout), as shown; the other rows are kept. */
  unparsedRows: string[];
}

export interface RelayList {
  /** Single addresses and host names. */
  hosts: string[];
  /** CIDR networks and ranges as written. */
  networks: string[];
}

export interface ListenerConfig {
  name: string;
  protocol: string;
  interface: string;
  port: number;
  listenQueueSize: number | null;
  /** `public` or `private` as written. */
  type: string | null;
  /** RELAYLIST sender group of the HAT, when present. */
  relayList: RelayList | null;
  /** RAT entries. */
  rat: Array<{ address: string; access: string }>;
}

export interface InterfaceConfig {
  name: string;
  ip: string;
  netmask: string | null;
  hostname: string | null;
}

export interface CipherSettings {
  methods: string | null;
  ciphers: string | null;
}

export interface ShowconfigFacts {
  hostname: string | null;
  listeners: ListenerConfig[];
  interfaces: InterfaceConfig[];
  tls: { inbound: CipherSettings; outbound: CipherSettings };
  /** Where this ESA sends quarantined mail (its SMA), or null when not configured. */
  cpq: { enabled: boolean | null; host: string | null; port: number | null; interface: string | null } | null;
  /** Cluster name when the configuration is a cluster's. */
  cluster: string | null;
}

export interface SslconfigFacts {
  inbound: CipherSettings;
  outbound: CipherSettings;
  /** True when the outbound list can negotiate an anonymous (aNULL) suite. */
  outboundAllowsAnonymous: boolean;
  /** Why it was judged so, e.g. `no -aNULL or !aNULL in the list`. */
  anonymousReason: string | null;
}

export interface ListenerconfigFacts {
  listeners: Array<{
    index: number;
    name: string;
    interface: string;
    ip: string | null;
    protocol: string;
    transport: string;
    port: number;
    type: string;
  }>;
  /** Entries that did not parse, as shown; the other entries are kept. */
  unparsedRows: string[];
}

export interface InterfaceconfigFacts {
  interfaces: InterfaceConfig[];
  /** In cluster mode, the machine the listing is for. */
  machine: string | null;
  /** Entries that did not parse, as shown; the other entries are kept. */
  unparsedRows: string[];
}

interface MailLogEventBase {
  /** ISO 8601 (local time of the appliance read as UTC) or null when the line had none. */
  timestamp: string | null;
  icid?: number;
  dcid?: number;
  mid?: number;
  raw: string;
}

export type MailLogEvent =
  | (MailLogEventBase & { type: 'cpq_connection'; interface: string; address: string })
  | (MailLogEventBase & { type: 'delivery_connection'; interface: string; address: string; port: number })
  | (MailLogEventBase & { type: 'tls_success'; protocol: string; cipher: string; destination: string | null })
  | (MailLogEventBase & { type: 'tls_failed'; reason: string })
  | (MailLogEventBase & { type: 'tls_required_failed' })
  | (MailLogEventBase & { type: 'delivery_start'; rid: number | null; destination: string })
  | (MailLogEventBase & { type: 'message_done'; rid: number | null; destination: string })
  | (MailLogEventBase & {
      type: 'connection_error';
      address: string | null;
      port: number | null;
      domain: string | null;
      reason: string | null;
      details: string | null;
    })
  | (MailLogEventBase & { type: 'application_fault'; text: string });

export interface MailLogFacts {
  events: MailLogEvent[];
  /** Lines that matched no known shape (kept, not dropped). */
  unknownLines: string[];
}
