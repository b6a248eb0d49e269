/**
 * The SMA's own showconfig question against the lab's SMA over real SSH on 127.0.0.1: every
 * command is read, `Y` is typed only at that question, and the outbound-cipher fault is seen.
 */
import { ANONYMOUS_CIPHERS, createApplianceState } from '../../../lab/appliance-state';
import { type LabSshServer, startLabSshServer } from '../../../lab/ssh-server';
import { readAppliance } from '../../../shared/asyncos/reader';
import type { CommandRequest, ShowconfigFacts, SslconfigFacts } from '../../../shared/asyncos/types';

const PASSWORD = 'sma-lab-pw-3c9e';
const COMMANDS: CommandRequest[] = [
  { name: 'version' },
  { name: 'status' },
  { name: 'showconfig' },
  { name: 'sslconfig' },
  { name: 'listenerconfig' },
  { name: 'interfaceconfig' },
  { name: 'grep', arg: 'CPQ|TLS' },
];

let lab: LabSshServer;
const state = createApplianceState({ role: 'sma', hostname: 'sma1.example.com' });

beforeAll(async () => {
  lab = await startLabSshServer({ state, password: PASSWORD, pagerLines: 25 });
});
afterAll(async () => {
  await lab.close();
});

function read() {
  return readAppliance({
    host: '127.0.0.1',
    port: lab.port,
    username: 'admin',
    auth: { password: PASSWORD },
    hostKeys: [lab.fingerprint],
    commands: COMMANDS,
    timeoutMs: 15_000,
    commandTimeoutMs: 4000,
  });
}

describe("the SMA's showconfig question", () => {
  it('is answered Y, only there, and every command is read', async () => {
    lab.record.lines.length = 0;
    const r = await read();
    expect(r.code).toBe('ok');
    for (const [line, result] of Object.entries(r.commands))
      expect([line, result.code]).toEqual([line, 'ok']);
    expect((r.commands.showconfig!.parsed as ShowconfigFacts).hostname).toBe('sma1.example.com');
    // Y follows showconfig at once, and appears nowhere else.
    const lines = lab.record.lines;
    expect(lines.filter((l) => l === 'Y')).toHaveLength(1);
    expect(lines[lines.indexOf('showconfig') + 1]).toBe('Y');
  });

  it('finds the outbound anonymous ciphers when they are switched on', async () => {
    const before = state.tls.outboundCiphers;
    state.tls.outboundCiphers = ANONYMOUS_CIPHERS;
    try {
      const r = await read();
      expect(r.code).toBe('ok');
      expect((r.commands.sslconfig!.parsed as SslconfigFacts).outboundAllowsAnonymous).toBe(true);
    } finally {
      state.tls.outboundCiphers = before;
    }
  });
});
