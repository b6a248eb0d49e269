/**
 * One simulated appliance: a single ApplianceState driving both its AsyncOS CLI over SSH and its
 * CPQ listener, so the probe and the reader see one consistent world. Suspending it makes the
 * listener refuse connections and `status` show the suspension; changing its outbound cipher list
 * changes sslconfig/showconfig and, on an ESA, writes the TLS failures of
 * docs/domain.md#the-anonymous-cipher-failure to mail_logs.
 */
import { type ApplianceSpec, type ApplianceState, createApplianceState } from './appliance-state';
import type { LabCertificates } from './certs';
import { type LabListener, startLabListener } from './listener';
import type { ListenerFault } from './listener-faults';
import type { SshFault } from './ssh-faults';
import { type LabSshServer, startLabSshServer } from './ssh-server';

export interface SimulatedApplianceSpec extends ApplianceSpec {
  /** Loopback address for both servers; default 127.0.0.1. */
  host?: string;
  /** SSH port; default any free port. */
  sshPort?: number;
  username?: string;
  password?: string;
  authorizedKeys?: string[];
  /** Host key (OpenSSH private key text); generated when absent. */
  hostKey?: string;
  /** Shared lab certificates (generating them per appliance is slow for a large lab). */
  certs?: LabCertificates;
  sshFault?: SshFault;
  pagerLines?: number;
}

export interface SimulatedAppliance {
  readonly state: ApplianceState;
  readonly ssh: LabSshServer;
  readonly listener: LabListener;
  /** `suspendlistener` (receiving only) or `suspend` (receiving and delivery): the listener refuses. */
  suspend(kind?: 'listeners' | 'all'): Promise<void>;
  /** `resume`: online again, the listener accepts. */
  resume(): Promise<void>;
  /** Sets the outbound cipher list (`sslconfig` → OUTBOUND). */
  setOutboundCiphers(ciphers: string): void;
  /** Sets the active recipients of the CPQ queue (`the.cpq.host` / `the.cpq.release.host`). */
  setCpqQueue(activeRecipients: number, down?: boolean): void;
  close(): Promise<void>;
}

/** Starts an appliance: the CPQ listener first (its port goes into the state), then the SSH CLI. */
export async function startSimulatedAppliance(spec: SimulatedApplianceSpec): Promise<SimulatedAppliance> {
  const host = spec.host ?? '127.0.0.1';
  const listener = await startLabListener({
    host,
    hostname: spec.hostname,
    ...(spec.cpqPort !== undefined ? { port: spec.cpqPort } : {}),
    ...(spec.certs !== undefined ? { certs: spec.certs } : {}),
  });
  const state = createApplianceState({ ...spec, ip: host, cpqPort: listener.port });
  let ssh: LabSshServer;
  try {
    ssh = await startLabSshServer({
      state,
      host,
      ...(spec.sshPort !== undefined ? { port: spec.sshPort } : {}),
      ...(spec.username !== undefined ? { username: spec.username } : {}),
      ...(spec.password !== undefined ? { password: spec.password } : {}),
      ...(spec.authorizedKeys !== undefined ? { authorizedKeys: spec.authorizedKeys } : {}),
      ...(spec.hostKey !== undefined ? { hostKey: spec.hostKey } : {}),
      ...(spec.sshFault !== undefined ? { fault: spec.sshFault } : {}),
      ...(spec.pagerLines !== undefined ? { pagerLines: spec.pagerLines } : {}),
    });
  } catch (err) {
    await listener.close();
    throw err;
  }
  const cpqQueue = () => state.queues[0]!;
  // The listener fault that the appliance's state implies, unless a test set another one.
  const listenerFaultFor = (): ListenerFault => (state.receivingSuspended ? 'refused' : 'none');

  return {
    state,
    ssh,
    listener,
    async suspend(kind = 'all') {
      state.receivingSuspended = true;
      state.deliverySuspended = kind === 'all';
      await listener.setFault(listenerFaultFor());
    },
    async resume() {
      state.receivingSuspended = false;
      state.deliverySuspended = false;
      await listener.setFault(listenerFaultFor());
    },
    setOutboundCiphers(ciphers: string) {
      state.tls.outboundCiphers = ciphers;
    },
    setCpqQueue(activeRecipients: number, down = false) {
      const q = cpqQueue();
      q.activeRecipients = activeRecipients;
      q.down = down;
      q.connectionsOut = down ? 0 : Math.min(1, activeRecipients);
      state.oldestMessage =
        activeRecipients > 0 ? (state.oldestMessage ?? new Date(Date.now() - 3_600_000)) : null;
    },
    async close() {
      await Promise.all([ssh.close(), listener.close()]);
    },
  };
}
