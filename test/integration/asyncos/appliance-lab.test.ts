/** One simulated appliance: its SSH CLI and its CPQ listener share one state. */
import { connect } from 'node:net';
import { type SimulatedAppliance, startSimulatedAppliance } from '../../../lab/appliance';
import { ANONYMOUS_CIPHERS } from '../../../lab/appliance-state';
import { generateKeyPair } from '../../../lab/ssh-keys';
import { readAppliance } from '../../../shared/asyncos/reader';
import type { ReadOptions, StatusFacts } from '../../../shared/asyncos/types';

const userKey = generateKeyPair();
let esa: SimulatedAppliance;

beforeAll(async () => {
  esa = await startSimulatedAppliance({
    role: 'esa',
    hostname: 'esa1.example.com',
    authorizedKeys: [userKey.publicKey],
  });
});
afterAll(async () => {
  await esa.close();
});

function opts(commands: ReadOptions['commands']): ReadOptions {
  return {
    host: '127.0.0.1',
    port: esa.ssh.port,
    username: 'admin',
    auth: { privateKey: userKey.privateKey },
    hostKeys: [esa.ssh.fingerprint],
    commands,
    timeoutMs: 8000,
    commandTimeoutMs: 3000,
  };
}

function tcpState(port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.once('error', () => resolve('refused'));
  });
}

describe('startSimulatedAppliance', () => {
  it('logs in with a private key and shows the CPQ listener on the port it really listens on', async () => {
    const r = await readAppliance(opts([{ name: 'showconfig' }, { name: 'status' }]));
    expect(r.code).toBe('ok');
    expect(r.commands.showconfig!.parsed).toMatchObject({
      listeners: expect.arrayContaining([
        expect.objectContaining({ name: 'cpq_listener', port: esa.listener.port }),
      ]),
    });
    expect(await tcpState(esa.listener.port)).toBe('open');
    expect(esa.ssh.record.auth.some((a) => a.method === 'publickey' && a.accepted)).toBe(true);
  });

  it('suspending makes the listener refuse and status show it; resuming undoes both', async () => {
    await esa.suspend('all');
    try {
      expect(await tcpState(esa.listener.port)).toBe('refused');
      const r = await readAppliance(opts([{ name: 'status' }]));
      const s = r.commands.status!.parsed as StatusFacts;
      expect(s).toMatchObject({ online: false, receivingSuspended: true, deliverySuspended: true });
    } finally {
      await esa.resume();
    }
    expect(await tcpState(esa.listener.port)).toBe('open');
    const again = await readAppliance(opts([{ name: 'status' }]));
    expect((again.commands.status!.parsed as StatusFacts).online).toBe(true);
  });

  it('switching the outbound list shows in sslconfig and showconfig', async () => {
    esa.setOutboundCiphers(ANONYMOUS_CIPHERS);
    esa.setCpqQueue(640, true);
    const r = await readAppliance(
      opts([{ name: 'sslconfig' }, { name: 'showconfig' }, { name: 'tophosts' }]),
    );
    expect(r.commands.sslconfig!.parsed).toMatchObject({ outboundAllowsAnonymous: true });
    expect(r.commands.showconfig!.parsed).toMatchObject({
      tls: { outbound: { ciphers: ANONYMOUS_CIPHERS } },
    });
    expect(r.commands['tophosts active_rcpts']!.parsed).toMatchObject({
      cpqQueue: { activeRecipients: 640, down: true },
    });
  });

  it('reads a cluster member through its (Machine host)> prompt', async () => {
    const member = await startSimulatedAppliance({
      role: 'esa',
      hostname: 'esa2.example.com',
      cluster: { name: 'EmailCluster', machines: ['esa1.example.com', 'esa2.example.com'] },
      authorizedKeys: [userKey.publicKey],
    });
    try {
      const r = await readAppliance({
        ...opts([{ name: 'interfaceconfig' }, { name: 'showconfig' }]),
        port: member.ssh.port,
        hostKeys: [member.ssh.fingerprint],
      });
      expect(r.code).toBe('ok');
      expect(r.commands.interfaceconfig!.parsed).toMatchObject({ machine: 'esa2.example.com' });
      expect(r.commands.showconfig!.parsed).toMatchObject({
        cluster: 'EmailCluster',
        hostname: 'esa2.example.com',
      });
    } finally {
      await member.close();
    }
  });
});
