/**
 * A replay of incidents against the lab (config/lab.yaml: sma1 + the esa1/esa2 cluster on
 * loopback), at failuresBeforePage 2 and successesBeforeRecovery 2: every incident pages exactly
 * once and recovers exactly once, and nothing else is ever sent. The page/recovery table is
 * printed to the test output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { ConsoleNotifier } from '../../../shared/alerts/console-notifier';
import { credentialResolver } from '../../../shared/cycle/credentials';
import { ALL_PROBERS } from '../../../shared/cycle/probers';
import { type CycleDeps, runCycle } from '../../../shared/cycle/run';
import { loadInventory } from '../../../shared/inventory/load';
import { EmfSink } from '../../../shared/metrics/emf-sink';
import { FileAlertStore } from '../../../shared/state/alerts/file';
import { FileMemoryStore } from '../../../shared/state/memory/file';

const PASSWORD = 'replay-lab-pw-77a0';
const ANONYMOUS_FIRST = 'aNULL:HIGH:MEDIUM:-SSLv2';

let world: LabWorld;
let dir: string;

beforeAll(async () => {
  const template = loadInventory(join(__dirname, '../../../config/lab.yaml'));
  template.alerting = {
    ...template.alerting,
    failuresBeforePage: 2,
    successesBeforeRecovery: 2,
    // A short window keeps the replay short; the defaults (3 of 10) behave the same, slower.
    intermittent: { enabled: true, failures: 3, cycles: 5 },
  };
  world = await startLabWorld(template, { ephemeralPorts: true, password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'cpq-replay-'));
});

afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

type Step = { note: string; act?: () => Promise<void> | void };

it('30+ cycles of incidents: each pages exactly once and recovers exactly once', async () => {
  const pages = new PassThrough();
  let text = '';
  pages.on('data', (d: Buffer) => {
    text += d.toString('utf8');
  });
  const deps: CycleDeps = {
    probers: ALL_PROBERS,
    store: new FileAlertStore(join(dir, 'alerts.json')),
    memory: new FileMemoryStore(join(dir, 'memory.json')),
    notifier: new ConsoleNotifier(pages),
    sink: new EmfSink(new PassThrough().resume(), { namespace: 'CPQMonitorTest' }),
    credentials: credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }),
  };
  const sma1 = world.get('sma1');
  const esa1 = world.get('esa1');
  const esa2 = world.get('esa2');
  const ciphers = esa1.state.tls.outboundCiphers;
  const q = world.inventory.queues.warning! + 20;

  const steps: Step[] = [
    { note: 'healthy' },
    { note: 'SMA outage: sma1 suspended', act: () => sma1.suspend() },
    { note: '' },
    { note: '' },
    { note: 'sma1 resumed', act: () => sma1.resume() },
    { note: '' },
    {
      note: 'anonymous-cipher ESA: esa1 offers aNULL first',
      act: () => esa1.setOutboundCiphers(ANONYMOUS_FIRST),
    },
    { note: '' },
    { note: 'esa1 cipher list fixed', act: () => esa1.setOutboundCiphers(ciphers) },
    { note: '' },
    { note: `queue backlog: esa2 ${q} recipients`, act: () => esa2.setCpqQueue(q) },
    { note: '' },
    { note: 'esa2 queue drained', act: () => esa2.setCpqQueue(0) },
    { note: '' },
    { note: 'SSH failure: esa2 rejects the password', act: () => esa2.ssh.setFault('wrong_password') },
    { note: '' },
    { note: 'esa2 SSH fixed', act: () => esa2.ssh.setFault('none') },
    { note: '' },
    {
      // Independent faults (a backlog on an ESA would be folded into the SMA outage that causes it).
      note: 'two at once: sma1 suspended, esa1 rejects SSH',
      act: async () => {
        await sma1.suspend();
        esa1.ssh.setFault('wrong_password');
      },
    },
    { note: '' },
    {
      note: 'both fixed',
      act: async () => {
        await sma1.resume();
        esa1.ssh.setFault('none');
      },
    },
    { note: '' },
    { note: 'flapping listener: esa2 refuses', act: () => esa2.listener.setFault('refused') },
    { note: 'esa2 answers', act: () => esa2.listener.setFault('none') },
    { note: 'esa2 refuses', act: () => esa2.listener.setFault('refused') },
    { note: 'esa2 answers', act: () => esa2.listener.setFault('none') },
    { note: 'esa2 refuses', act: () => esa2.listener.setFault('refused') },
    { note: 'esa2 answers (stays up)', act: () => esa2.listener.setFault('none') },
    { note: '' },
    { note: '' },
    { note: '' },
    { note: '' },
    { note: '' },
    { note: '' },
  ];

  const table: Array<{ cycle: number; note: string; sent: string[] }> = [];
  for (const [i, step] of steps.entries()) {
    await step.act?.();
    text = '';
    const r = await runCycle(
      { inventory: world.inventory, kind: 'full', deadline: Date.now() + 40_000 },
      deps,
    );
    expect([i, r.problems, r.skipped]).toEqual([i, [], []]);
    const sent = [...text.matchAll(/^\s*Alert:\s+(\S+) \((\w+), notification /gm)].map(
      (m) => `${m[2]!.toUpperCase()} ${m[1]}`,
    );
    table.push({ cycle: i + 1, note: step.note, sent });
  }

  const lines = table.map(
    (t) => `${String(t.cycle).padStart(3)}  ${t.note.padEnd(48)}  ${t.sent.join(', ')}`,
  );
  process.stdout.write(`\ncycle  event${' '.repeat(45)}notifications\n${lines.join('\n')}\n`);

  const all = table.flatMap((t) => t.sent.map((s) => [t.cycle, s] as const));
  const count = (what: string) => all.filter(([, s]) => s === what).length;
  const incidents = [
    'sma1/cpq_listener_refused',
    'esa1/outbound_ciphers_allow_anonymous',
    'esa2/cpq_queue_backlog',
    'esa2/ssh_auth_failed',
    'esa1/ssh_auth_failed',
    'esa2/intermittent.cpq_listener_refused',
  ];
  // The SMA outage happens twice (alone, then with the SSH failure): two pages, two recoveries.
  const times: Record<string, number> = { 'sma1/cpq_listener_refused': 2 };
  for (const id of incidents) {
    expect([id, count(`PAGE ${id}`), count(`RECOVERY ${id}`)]).toEqual([id, times[id] ?? 1, times[id] ?? 1]);
  }
  // Nothing else was sent: no page of the flapping check itself, no escalation, no reminder.
  const expected = incidents.reduce((n, id) => n + 2 * (times[id] ?? 1), 0);
  expect(all).toHaveLength(expected);
  // Every recovery follows its page.
  for (const id of incidents) {
    const at = all.filter(([, s]) => s.endsWith(` ${id}`)).map(([c, s]) => `${s.split(' ')[0]}@${c}`);
    expect(at.map((a) => a.split('@')[0])).toEqual(
      Array.from({ length: times[id] ?? 1 }, () => ['PAGE', 'RECOVERY']).flat(),
    );
  }
  expect(table.length).toBeGreaterThanOrEqual(30);
}, 300_000);
