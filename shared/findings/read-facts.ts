/** Picks the parsed facts of one SSH read, command by command, keeping only what parsed cleanly. */
import type {
  CommandResult,
  InterfaceconfigFacts,
  ListenerconfigFacts,
  MailLogEvent,
  ReadResult,
  ShowconfigFacts,
  SslconfigFacts,
  StatusFacts,
  TophostsFacts,
} from '../asyncos/types';
import type { Appliance } from '../inventory/schema';
import type { ConfigObservation } from '../observations';

/** A command's facts with its raw text (for evidence). */
export interface Read<T> {
  key: string;
  facts: T;
  raw: string;
}

/** What one SSH read of one appliance established this cycle. */
export interface ReadFacts {
  appliance: Appliance;
  obs: ConfigObservation;
  /** False when the session itself failed (no command result may be trusted). */
  sessionOk: boolean;
  status?: Read<StatusFacts>;
  tophosts?: Read<TophostsFacts>;
  showconfig?: Read<ShowconfigFacts>;
  sslconfig?: Read<SslconfigFacts>;
  listenerconfig?: Read<ListenerconfigFacts>;
  interfaceconfig?: Read<InterfaceconfigFacts>;
  /** Events of every grep that parsed, in the order read. */
  logs?: { keys: string[]; events: MailLogEvent[] };
  /** Commands that ran but did not give facts: key → `code: message`. */
  failed: Record<string, string>;
}

/** Session codes after which command results are still worth reading (the session itself worked). */
const SESSION_USABLE = new Set<ReadResult['code']>(['ok', 'command_timeout', 'unexpected_output']);

function usable(r: CommandResult): boolean {
  return r.code === 'ok' && r.parsed !== null && r.parsed !== undefined;
}

function commandName(key: string): string {
  const k = key.trim().replace(/\s+/g, ' ');
  if (k === 'status detail' || k.startsWith('status detail ')) return 'status detail';
  return k.split(' ')[0] ?? k;
}

/** The facts of one read; nothing but `failed` when the session did not work. */
export function readFacts(appliance: Appliance, obs: ConfigObservation): ReadFacts {
  const out: ReadFacts = { appliance, obs, sessionOk: SESSION_USABLE.has(obs.read.code), failed: {} };
  if (!out.sessionOk) return out;
  for (const [key, r] of Object.entries(obs.read.commands)) {
    if (!usable(r)) {
      out.failed[key] = `${r.code}: ${r.message}`;
      continue;
    }
    const name = commandName(key);
    const read = { key, facts: r.parsed, raw: r.raw };
    switch (name) {
      case 'status detail':
        out.status = read as Read<StatusFacts>;
        break;
      case 'status':
        // `status detail` holds everything `status` does: keep it when both ran.
        if (out.status === undefined || out.status.key !== 'status detail')
          out.status = read as Read<StatusFacts>;
        break;
      case 'tophosts':
        out.tophosts = read as Read<TophostsFacts>;
        break;
      case 'showconfig':
        out.showconfig = read as Read<ShowconfigFacts>;
        break;
      case 'sslconfig':
        out.sslconfig = read as Read<SslconfigFacts>;
        break;
      case 'listenerconfig':
        out.listenerconfig = read as Read<ListenerconfigFacts>;
        break;
      case 'interfaceconfig':
        out.interfaceconfig = read as Read<InterfaceconfigFacts>;
        break;
      case 'grep': {
        const events = (r.parsed as { events?: MailLogEvent[] }).events ?? [];
        out.logs = {
          keys: [...(out.logs?.keys ?? []), key],
          events: [...(out.logs?.events ?? []), ...events],
        };
        break;
      }
      default:
        // version, hoststatus: no rule reads them.
        break;
    }
  }
  return out;
}

/** The appliance's cpq_listener as read this cycle (showconfig first, then the listenerconfig listing). */
export function cpqListenerOf(f: ReadFacts): { port: number; interface: string; source: string } | null {
  const fromConfig = f.showconfig?.facts.listeners.find(
    (l) => l.name.toLowerCase() === 'cpq_listener' || l.protocol.toUpperCase() === 'CPQ',
  );
  if (fromConfig) return { port: fromConfig.port, interface: fromConfig.interface, source: 'showconfig' };
  const listed = f.listenerconfig?.facts.listeners.find(
    (l) => l.name.toLowerCase() === 'cpq_listener' || l.protocol.toUpperCase() === 'CPQ',
  );
  if (listed) return { port: listed.port, interface: listed.interface, source: 'listenerconfig' };
  return null;
}

/** Interface names and addresses read this cycle (showconfig and interfaceconfig), or null when neither ran. */
export function interfacesOf(f: ReadFacts): Array<{ name: string; ip: string }> | null {
  const lists = [f.showconfig?.facts.interfaces, f.interfaceconfig?.facts.interfaces].filter(
    (l): l is NonNullable<typeof l> => l !== undefined && l.length > 0,
  );
  if (lists.length === 0) return null;
  return lists.flat().map((i) => ({ name: i.name, ip: i.ip }));
}
