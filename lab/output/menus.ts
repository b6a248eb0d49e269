/** The configuration menus the reader walks through and leaves: `sslconfig`, `listenerconfig`, `interfaceconfig`. */
import type { ApplianceState } from '../appliance-state';
import type { Step } from './steps';

const LIST_MENU_SSL = [
  'Choose the operation you want to perform:',
  '- GUI - Edit GUI HTTPS ssl settings.',
  '- INBOUND - Edit Inbound SMTP ssl settings.',
  '- OUTBOUND - Edit Outbound SMTP ssl settings.',
  '- VERIFY - Verify and show ssl cipher list.',
  '- OTHER_CLIENT_TLSV10 - Edit TLS v1.0 for other client services.',
].join('\n');

/** `sslconfig`: settings, one cipher word per indented line, then its menu. */
export function sslconfigSteps(state: ApplianceState): Step[] {
  const list = (s: string) => s.split(':').map((w) => `        ${w}`);
  const text = [
    '',
    'sslconfig settings:',
    '  GUI HTTPS method:  tlsv1.2',
    '  GUI HTTPS ciphers:',
    ...list(state.tls.inboundCiphers),
    `  Inbound SMTP method:  ${state.tls.inboundMethods}`,
    '  Inbound SMTP ciphers:',
    ...list(state.tls.inboundCiphers),
    `  Outbound SMTP method:  ${state.tls.outboundMethods}`,
    '  Outbound SMTP ciphers:',
    ...list(state.tls.outboundCiphers),
    '',
    LIST_MENU_SSL,
    '',
  ].join('\n');
  return [{ out: text }, { ask: '[]> ', next: leaveMenu }];
}

/** `listenerconfig`: the listing (hidden cpq_listener excluded), then its menu. */
export function listenerconfigSteps(state: ApplianceState): Step[] {
  const visible = state.listeners.filter((l) => !l.hidden);
  const ipOf = (name: string) => state.interfaces.find((i) => i.name === name)?.ip ?? '0.0.0.0';
  const text = [
    '',
    'Currently configured listeners:',
    ...visible.map(
      (l, i) =>
        `${i + 1}. ${l.name} (on ${l.interface}, ${ipOf(l.interface)}) ${l.protocol} TCP Port ${l.port} ${l.type}`,
    ),
    '',
    'Choose the operation you want to perform:',
    '- NEW - Create a new listener.',
    '- EDIT - Modify a listener.',
    '- DELETE - Remove a listener.',
    '- SETUP - Change global settings.',
    '',
  ].join('\n');
  return [{ out: text }, { ask: '[]> ', next: leaveMenu }];
}

/** `interfaceconfig`: the listing (with the machine in cluster mode), then its menu. */
export function interfaceconfigSteps(state: ApplianceState): Step[] {
  const text = [
    '',
    ...(state.cluster !== null ? [`Current mode: (Machine ${state.hostname})`, ''] : []),
    'Currently configured interfaces:',
    ...state.interfaces.map(
      (i, k) => `${k + 1}. ${i.name} (${i.ip}/${i.prefix} on ${i.port}: ${i.hostname})`,
    ),
    '',
    'Choose the operation you want to perform:',
    '- NEW - Create a new interface.',
    '- EDIT - Modify an interface.',
    '- GROUPS - Define interface groups.',
    '- DELETE - Remove an interface.',
    '',
  ].join('\n');
  return [{ out: text }, { ask: '[]> ', next: leaveMenu }];
}

function leaveMenu(answer: string): Step[] {
  // Anything but an empty answer would start a change in the real CLI; the lab just refuses it.
  return answer === '' ? [] : [{ out: `\nThe lab appliance is read-only: "${answer}" ignored.\n` }];
}
