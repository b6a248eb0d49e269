/**
 * Text of the simulated AsyncOS CLI, generated from an appliance's state: every allow-listed
 * command (with its menus) in the layouts docs/domain.md#asyncos-commands-the-monitor-uses
 * describes, one renderer file per subject in ./output/. Lines end in `\n` here; the SSH server
 * turns them into CRLF.
 */
import { type CommandName, commandOfLine } from '../shared/asyncos/commands';
import type { ApplianceState } from './appliance-state';
import { grepText } from './output/logs';
import { interfaceconfigSteps, listenerconfigSteps, sslconfigSteps } from './output/menus';
import { hoststatusText, tophostsSteps } from './output/queues';
import { showconfigSteps } from './output/showconfig';
import type { Step } from './output/steps';
import { statusText, versionText } from './output/system';

/**
 * The simulated output of every command in the registry, by command: the compiler asks for an
 * entry here when a command is added. `arg` is the rest of the line after the command's name.
 */
const LAB_COMMANDS: { [N in CommandName]: (state: ApplianceState, arg: string) => Step[] } = {
  version: (state) => [{ out: versionText(state) }],
  status: (state) => [{ out: statusText(state, false) }],
  'status detail': (state) => [{ out: statusText(state, true) }],
  tophosts: tophostsSteps,
  showconfig: showconfigSteps,
  sslconfig: sslconfigSteps,
  listenerconfig: listenerconfigSteps,
  interfaceconfig: interfaceconfigSteps,
  hoststatus: (state, host) => [{ out: hoststatusText(state, host) }],
  grep: (state, arg) => {
    const m = /^(?:-i\s+)?-e\s+"([^"]*)"\s+(\S+)$/.exec(arg);
    return [{ out: m ? grepText(state, m[1]!, m[2]!) : '\nUsage: grep [-i] [-e regex] LOG\n' }];
  },
};

/** The steps of one command line, or an "unknown command" reply. */
export function commandSteps(state: ApplianceState, line: string): Step[] {
  const [cmd = ''] = line.trim().split(/\s+/);
  if (cmd === '') return [];
  const match = commandOfLine(line);
  if (match === undefined) return [{ out: `\nUnknown command or missing feature key: ${cmd}\n` }];
  return LAB_COMMANDS[match.command.name](state, match.rest);
}
