/**
 * The state of one simulated appliance (ESA or SMA): what its CLI reports and what its CPQ
 * listener does. One mutable object; the SSH server renders it on every command, so switching
 * a value (suspend, cipher list, queue size) shows in the next read.
 */

export type ApplianceRole = 'esa' | 'sma';

/** One destination queue as `tophosts` lists it. */
export interface QueueState {
  host: string;
  activeRecipients: number;
  connectionsOut: number;
  deliveredRecipients: number;
  softBounced: number;
  hardBounced: number;
  /** Shown with `*`: down as of the last delivery attempt. */
  down: boolean;
}

export interface InterfaceState {
  name: string;
  ip: string;
  prefix: number;
  /** Physical port, e.g. `Management`, `Data 1`. */
  port: string;
  hostname: string;
}

export interface ListenerState {
  name: string;
  protocol: 'SMTP' | 'CPQ';
  interface: string;
  port: number;
  type: 'Public' | 'Private';
  listenQueueSize: number;
  /** Hosts and networks of the HAT's RELAYLIST sender group. */
  relayList: string[];
  /** Hidden listeners (cpq_listener) are in showconfig but not in listenerconfig's listing. */
  hidden: boolean;
}

export interface TlsState {
  inboundMethods: string;
  inboundCiphers: string;
  outboundMethods: string;
  outboundCiphers: string;
}

export interface ApplianceState {
  role: ApplianceRole;
  hostname: string;
  model: string;
  version: string;
  serial: string;
  upSince: Date;
  /** `suspendlistener`: listeners (cpq_listener too) stop accepting. */
  receivingSuspended: boolean;
  /** `suspend` also stops delivery. */
  deliverySuspended: boolean;
  workQueue: number;
  pvoQuarantineMessages: number;
  oldestMessage: Date | null;
  counters: { received: number; delivered: number; softBounced: number; hardBounced: number };
  queues: QueueState[];
  tls: TlsState;
  listeners: ListenerState[];
  interfaces: InterfaceState[];
  cluster: { name: string; machines: string[] } | null;
  /** ESA only: the SMA that receives quarantined mail. */
  cpqTarget: { enabled: boolean; host: string; port: number; interface: string } | null;
  /** mail_logs lines the appliance wrote (CPQ traffic); TLS failure lines are added by the renderer. */
  mailLogs: string[];
  /** SMA services (status on an SMA lists them). */
  services: Record<string, 'Up' | 'Down'>;
}

/** A cipher list with the fix of docs/domain.md#the-anonymous-cipher-failure (no anonymous suites). */
export const SAFE_CIPHERS = 'MEDIUM:HIGH:-SSLv2:-aNULL:@STRENGTH';
/** A list that lets an anonymous suite be negotiated: docs/domain.md#the-anonymous-cipher-failure. */
export const ANONYMOUS_CIPHERS = 'MEDIUM:HIGH:-SSLv2:@STRENGTH';

/** Everything a caller may set; the rest gets realistic defaults for the role. */
export interface ApplianceSpec {
  role: ApplianceRole;
  hostname: string;
  /** The loopback address the CPQ listener listens on, shown as the interface's IP. */
  ip?: string;
  cpqPort?: number;
  relayList?: string[];
  outboundCiphers?: string;
  queueSize?: number;
  queueDown?: boolean;
  cluster?: { name: string; machines: string[] } | null;
  cpqTarget?: ApplianceState['cpqTarget'];
  /** Extra interfaces (e.g. to model a cluster machine that lacks the PVO interface). */
  interfaces?: InterfaceState[];
}

/** Queue name of the ESA's queue toward its SMA. */
export const CPQ_QUEUE = 'the.cpq.host';
/** Queue name of the SMA's queue of released messages. */
export const RELEASE_QUEUE = 'the.cpq.release.host';

/** The ESA's other delivery queues (`tophosts` lists them around the CPQ queue); copied per state. */
const ESA_OTHER_QUEUES: readonly QueueState[] = [
  {
    host: 'example.com',
    activeRecipients: 12,
    connectionsOut: 2,
    deliveredRecipients: 182_000,
    softBounced: 38_548,
    hardBounced: 13_987,
    down: false,
  },
  {
    host: 'the.euq.queue',
    activeRecipients: 0,
    connectionsOut: 0,
    deliveredRecipients: 310,
    softBounced: 0,
    hardBounced: 0,
    down: false,
  },
  {
    host: 'mail.partner.example.net',
    activeRecipients: 3,
    connectionsOut: 0,
    deliveredRecipients: 7_055,
    softBounced: 3_166,
    hardBounced: 6,
    down: true,
  },
];

/** The SMA's other delivery queue; copied per state. */
const SMA_OTHER_QUEUES: readonly QueueState[] = [
  {
    host: 'the.euq.release.queue',
    activeRecipients: 0,
    connectionsOut: 0,
    deliveredRecipients: 54,
    softBounced: 0,
    hardBounced: 0,
    down: false,
  },
];

/** The CPQ traffic every lab appliance has in its mail_logs: one delivery to the quarantine over TLS. */
const LAB_MAIL_LOGS: readonly string[] = [
  'Fri Nov 27 06:50:12 2026 Info: New CPQ ICID 40211 interface Management (10.10.10.1) address 10.10.20.1 reverse dns host unknown verified no',
  'Fri Nov 27 06:50:14 2026 Info: New SMTP DCID 12345 interface 10.10.10.1 address 10.10.20.1 port 7025',
  'Fri Nov 27 06:50:14 2026 Info: DCID 12345 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384 the.cpq.host',
  'Fri Nov 27 06:50:15 2026 Info: Delivery start DCID 12345 MID 23456 to RID [0] to Centralized Policy Quarantine',
  'Fri Nov 27 06:50:15 2026 Info: Message done DCID 12345 MID 23456 to RID [0] (centralized policy quarantine)',
  'Fri Nov 27 06:50:16 2026 Info: DCID 12345 close',
];

/** A realistic state for an ESA or SMA. */
export function createApplianceState(spec: ApplianceSpec): ApplianceState {
  const ip = spec.ip ?? '127.0.0.1';
  const port = spec.cpqPort ?? 7025;
  const esa = spec.role === 'esa';
  const cpqQueue: QueueState = {
    host: esa ? CPQ_QUEUE : RELEASE_QUEUE,
    activeRecipients: spec.queueSize ?? 0,
    connectionsOut: spec.queueDown ? 0 : 1,
    deliveredRecipients: 1_482,
    softBounced: spec.queueDown ? 37 : 0,
    hardBounced: 0,
    down: spec.queueDown ?? false,
  };
  const otherQueues = (esa ? ESA_OTHER_QUEUES : SMA_OTHER_QUEUES).map((q) => ({ ...q }));
  const interfaces: InterfaceState[] = [
    { name: 'Management', ip, prefix: 24, port: 'Management', hostname: spec.hostname },
    { name: 'Incoming Mail', ip: '192.0.2.10', prefix: 24, port: 'Data 1', hostname: `in.${spec.hostname}` },
    ...(spec.interfaces ?? []),
  ];
  return {
    role: spec.role,
    hostname: spec.hostname,
    model: esa ? 'C390' : 'M390',
    version: esa ? '14.2.0-620' : '14.3.0-115',
    serial: `42A1${spec.hostname.length.toString(16).toUpperCase()}F00D-C0FFEE${esa ? '1' : '2'}`,
    upSince: new Date(Date.UTC(2026, 10, 20, 6, 15, 4)),
    receivingSuspended: false,
    deliverySuspended: false,
    workQueue: 0,
    pvoQuarantineMessages: esa ? 0 : 1_204,
    oldestMessage: cpqQueue.activeRecipients > 0 ? new Date(Date.UTC(2026, 10, 27, 7, 2, 11)) : null,
    counters: { received: 62_049_822, delivered: 50_441_741, softBounced: 2_334_552, hardBounced: 3_949_663 },
    queues: [cpqQueue, ...otherQueues],
    tls: {
      inboundMethods: 'tlsv1.2',
      inboundCiphers: SAFE_CIPHERS,
      outboundMethods: 'tlsv1.2',
      outboundCiphers: spec.outboundCiphers ?? SAFE_CIPHERS,
    },
    listeners: labListeners(port, spec.relayList),
    interfaces,
    cluster: spec.cluster ?? null,
    cpqTarget: esa
      ? (spec.cpqTarget ?? { enabled: true, host: 'sma1.example.com', port: 7025, interface: 'Management' })
      : null,
    mailLogs: [...LAB_MAIL_LOGS],
    services: esa
      ? {}
      : { 'Centralized Quarantine Service': 'Up', 'Reporting Service': 'Up', 'Tracking Service': 'Up' },
  };
}

/** The appliance's listeners: incoming and outgoing mail, and the hidden CPQ listener on `port`. */
function labListeners(port: number, relayList: string[] | undefined): ListenerState[] {
  return [
    {
      name: 'IncomingMail',
      protocol: 'SMTP',
      interface: 'Incoming Mail',
      port: 25,
      type: 'Public',
      listenQueueSize: 50,
      relayList: [],
      hidden: false,
    },
    {
      name: 'OutgoingMail',
      protocol: 'SMTP',
      interface: 'Management',
      port: 25,
      type: 'Private',
      listenQueueSize: 50,
      relayList: ['10.0.0.0/8'],
      hidden: false,
    },
    {
      name: 'cpq_listener',
      protocol: 'CPQ',
      interface: 'Management',
      port,
      type: 'Private',
      listenQueueSize: 50,
      relayList: relayList ?? ['10.10.20.1'],
      hidden: true,
    },
  ];
}

/** `System status:` as the appliance shows it. */
export function systemStatusText(state: ApplianceState): string {
  if (state.role === 'sma') return state.receivingSuspended || state.deliverySuspended ? 'Offline' : 'Online';
  if (state.receivingSuspended && state.deliverySuspended) return 'Receiving and Delivery Suspended';
  if (state.receivingSuspended) return 'Receiving Suspended';
  if (state.deliverySuspended) return 'Delivery Suspended';
  return 'Online';
}
