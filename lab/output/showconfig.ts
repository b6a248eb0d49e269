/** `showconfig`: the passphrase question (mask offered first), then the configuration XML. */
import type { ApplianceState } from '../appliance-state';
import { asctime, productName } from './format';
import type { Step } from './steps';

/** The SMA's question (docs/domain.md, "Known questions"); its default, Y, masks. */
export const SMA_MASK_QUESTION =
  'Do you want to mask the password? Files with masked passwords cannot be loaded using loadconfig command. [Y]> ';

/**
 * Steps of `showconfig`: each product's own passphrase question (the ESA's menu with mask offered
 * first, the SMA's yes/no question), then the XML.
 */
export function showconfigSteps(state: ApplianceState): Step[] {
  if (state.role === 'sma')
    return [
      { out: '\n' },
      {
        ask: SMA_MASK_QUESTION,
        next: (a) =>
          a === '' || /^y/i.test(a)
            ? [{ out: `\n${showconfigXml(state)}` }]
            : [{ out: '\nThe configuration with plain passwords is not shown in the lab.\n' }],
      },
    ];
  return [
    {
      out: '\nChoose the passphrase option:\n1. Mask passphrases (Files with masked passphrases cannot be loaded using loadconfig command)\n2. Encrypt passphrases\n',
    },
    {
      ask: '[1]> ',
      next: (a) =>
        a === '' || a === '1'
          ? [{ out: `\n${showconfigXml(state)}` }]
          : [{ out: '\nThe configuration with encrypted passphrases is not shown in the lab.\n' }],
    },
  ];
}

/** The configuration XML with passwords masked (`*****`). */
export function showconfigXml(state: ApplianceState): string {
  return [
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<!DOCTYPE config SYSTEM "config.dtd">',
    '',
    '<!--',
    `  Product: Cisco ${state.model} ${productName(state)}`,
    `  Model Number: ${state.model}`,
    `  Version: ${state.version}`,
    `  Serial Number: ${state.serial}`,
    `  Current Time: ${asctime(new Date())}`,
    '-->',
    '<config>',
    `  <hostname>${xmlEscape(state.hostname)}</hostname>`,
    ...clusterXml(state),
    ...interfacesXml(state),
    ...listenersXml(state),
    ...sslXml(state),
    ...cpqTargetXml(state),
    '  <users>',
    '    <user>',
    '      <username>admin</username>',
    '      <encrypted_password>*****</encrypted_password>',
    '      <user_role>Administrator</user_role>',
    '    </user>',
    '  </users>',
    '</config>',
    '',
  ].join('\n');
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One `<tag>value</tag>` line per field, indented by `indent` spaces (values written as given). */
function elements(indent: number, fields: ReadonlyArray<readonly [string, string | number]>): string[] {
  return fields.map(([tag, value]) => `${' '.repeat(indent)}<${tag}>${value}</${tag}>`);
}

function clusterXml(state: ApplianceState): string[] {
  if (state.cluster === null) return [];
  return [
    '  <cluster>',
    `    <cluster_name>${xmlEscape(state.cluster.name)}</cluster_name>`,
    ...state.cluster.machines.map((m) => `    <machine_name>${xmlEscape(m)}</machine_name>`),
    '  </cluster>',
  ];
}

function interfacesXml(state: ApplianceState): string[] {
  const one = (i: ApplianceState['interfaces'][number]) => [
    '    <interface>',
    ...elements(6, [
      ['interface_name', xmlEscape(i.name)],
      ['ip', i.ip],
      ['phys_interface', xmlEscape(i.port)],
      ['netmask', prefixToNetmask(i.prefix)],
      ['hostname', xmlEscape(i.hostname)],
      ['ftpd_port', 21],
      ['sshd_port', 22],
    ]),
    '    </interface>',
  ];
  return ['  <interfaces>', ...state.interfaces.flatMap(one), '  </interfaces>'];
}

function listenersXml(state: ApplianceState): string[] {
  const one = (l: ApplianceState['listeners'][number]) => [
    '    <listener>',
    ...elements(6, [
      ['listener_name', xmlEscape(l.name)],
      ['protocol', l.protocol],
      ['interface_name', xmlEscape(l.interface)],
      ['port', l.port],
      ['listen_queue_size', l.listenQueueSize],
      ['type', l.type.toLowerCase()],
    ]),
    '      <hat>',
    ...(l.relayList.length > 0
      ? ['RELAYLIST:', ...l.relayList.map((h) => `    ${h}`), '    $RELAYED', '']
      : []),
    'ALL:',
    `    ${l.relayList.length > 0 || l.protocol === 'CPQ' ? '$BLOCKED' : '$ACCEPTED'}`,
    '      </hat>',
    '      <rat>',
    '        <rat_entry>',
    '          <rat_address>ALL</rat_address>',
    `          <access>${l.type === 'Private' ? 'ACCEPT' : 'REJECT'}</access>`,
    '        </rat_entry>',
    '      </rat>',
    '    </listener>',
  ];
  return ['  <listeners>', ...state.listeners.flatMap(one), '  </listeners>'];
}

function sslXml(state: ApplianceState): string[] {
  const { tls } = state;
  return [
    '  <ssl>',
    ...elements(4, [
      ['ssl_gui_method', 'tlsv1.2'],
      ['ssl_gui_ciphers', xmlEscape(tls.inboundCiphers)],
      ['ssl_inbound_method', xmlEscape(tls.inboundMethods)],
      ['ssl_inbound_ciphers', xmlEscape(tls.inboundCiphers)],
      ['ssl_outbound_method', xmlEscape(tls.outboundMethods)],
      ['ssl_outbound_ciphers', xmlEscape(tls.outboundCiphers)],
    ]),
    '  </ssl>',
  ];
}

function cpqTargetXml(state: ApplianceState): string[] {
  const target = state.cpqTarget;
  if (target === null) return [];
  return [
    '  <centralized_pvo>',
    ...elements(4, [
      ['pvo_enabled', target.enabled ? 1 : 0],
      ['pvo_host', xmlEscape(target.host)],
      ['pvo_port', target.port],
      ['pvo_interface', xmlEscape(target.interface)],
    ]),
    '  </centralized_pvo>',
  ];
}

function prefixToNetmask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.');
}
