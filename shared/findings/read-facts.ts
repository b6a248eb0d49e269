/** Picks the parsed facts of one SSH read, command by command, keeping only what parsed cleanly. */
import type { FactsOf } from '../asyncos/commands';
import type { CommandResult, MailLogEvent, ReadResult, StatusFacts } from '../asyncos/types';
import type { Appliance } from '../inventory/schema';
import type { ConfigObservation } from '../observations';
import { cpqListenerOf, parsedCommands } from '../read-view';

/** A command's facts with its raw text (for evidence). */
export interface Read<T> {
  key: string;
  facts: T;
  raw: string;
}

/** Commands whose facts the rules read under the command's own name (the last one read wins). */
type KeptByName = 'tophosts' | 'showconfig' | 'sslconfig' | 'listenerconfig' | 'interfaceconfig';
type ReadsByName = { [N in KeptByName]?: Read<FactsOf<N>> };

/** What one SSH read of one appliance established this cycle. */
export interface ReadFacts extends ReadsByName {
  appliance: Appliance;
  obs: ConfigObservation;
  /** False when the session itself failed (no command result may be trusted). */
  sessionOk: boolean;
  /** `status detail` when it ran (it holds everything `status` does), else `status`. */
  status?: Read<StatusFacts>;
  /** Events of every grep that parsed, in the order read. */
  logs?: { keys: string[]; events: MailLogEvent[] };
  /** Commands that ran but did not give facts: key → `code: message`. */
  failed: Record<string, string>;
  /** The same commands: key → their cause in a few words (the reader's, else the code). */
  causes: Record<string, string>;
}

/** Session codes after which command results are still worth reading (the session itself worked). */
const SESSION_USABLE = new Set<ReadResult['code']>([
  'ok',
  'command_timeout',
  'unexpected_output',
  'unexpected_prompt',
]);

function usable(r: CommandResult): boolean {
  return r.code === 'ok' && r.parsed !== null && r.parsed !== undefined;
}

/** The facts of one read; nothing but `failed` when the session did not work. */
export function readFacts(appliance: Appliance, obs: ConfigObservation): ReadFacts {
  const out: ReadFacts = {
    appliance,
    obs,
    sessionOk: SESSION_USABLE.has(obs.read.code),
    failed: {},
    causes: {},
  };
  if (!out.sessionOk) return out;
  for (const [key, r] of Object.entries(obs.read.commands)) {
    if (usable(r)) continue;
    out.failed[key] = `${r.code}: ${r.message}`;
    out.causes[key] = r.cause ?? r.code;
  }
  for (const p of parsedCommands(obs.read)) {
    switch (p.command) {
      case 'status detail':
        out.status = p;
        break;
      case 'status':
        // `status detail` holds everything `status` does: keep it when both ran.
        if (out.status === undefined || out.status.key !== 'status detail') out.status = p;
        break;
      case 'grep':
        out.logs = {
          keys: [...(out.logs?.keys ?? []), p.key],
          events: [...(out.logs?.events ?? []), ...(p.facts.events ?? [])],
        };
        break;
      case 'tophosts':
      case 'showconfig':
      case 'sslconfig':
      case 'listenerconfig':
      case 'interfaceconfig':
        keep(out, p.command, p);
        break;
      default:
        // version, hoststatus: no rule reads them.
        break;
    }
  }
  return out;
}

/** Keeps a command's facts under its name. */
function keep<N extends KeptByName>(out: ReadsByName, name: N, read: ReadsByName[N]): void {
  out[name] = read;
}

/** The appliance's CPQ listener as read this cycle (showconfig first, then the listenerconfig listing). */
export function cpqListenerRead(f: ReadFacts): { port: number; interface: string; source: string } | null {
  const fromConfig = cpqListenerOf(f.showconfig?.facts.listeners ?? []);
  if (fromConfig) return { port: fromConfig.port, interface: fromConfig.interface, source: 'showconfig' };
  const listed = cpqListenerOf(f.listenerconfig?.facts.listeners ?? []);
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
