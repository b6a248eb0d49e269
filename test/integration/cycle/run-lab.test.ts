import { join } from 'node:path';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { credentialResolver } from '../../../shared/cycle/credentials';
import { type CycleDeps, type CycleKind, type CycleReport, runCycle } from '../../../shared/cycle/run';
import { loadInventory } from '../../../shared/inventory/load';
import type { Inventory } from '../../../shared/inventory/schema';
import { type MemoryStore, MemoryStoreError } from '../../../shared/state/memory/store';
import { type LabCycle, startLabCycle } from '../../helpers/lab-cycle';

const PASSWORD = 'lab-cycle-pw-5d1e';
const ANONYMOUS_FIRST = 'aNULL:HIGH:MEDIUM:-SSLv2';
const LAB = join(__dirname, '../../../config/lab.yaml');

let lab: LabCycle;
let world: LabWorld;
let inventory: Inventory;
let pages: LabCycle['pages'];
let emf: LabCycle['emf'];
let deps: CycleDeps;

beforeEach(async () => {
  lab = await startLabCycle(PASSWORD);
  ({ world, inventory, pages, emf } = lab);
  deps = { ...lab.deps, credentials: credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }) };
});

afterEach(async () => {
  await lab.close();
});

function cycle(kind: CycleKind, over: Partial<CycleDeps> = {}, deadline = Date.now() + 25_000) {
  return runCycle({ inventory, kind, deadline }, { ...deps, ...over });
}

const ids = (r: CycleReport) => r.findings.map((f) => f.id).sort();
const pathStates = (r: CycleReport) => Object.fromEntries(r.paths.map((p) => [p.id, p.state]));
/** The notifications a console stream received, from their `Alert:` lines: `KIND id` each. */
function notificationsIn(text: string): string[] {
  return [...text.matchAll(/^\s*Alert:\s+(\S+) \((\w+), notification /gm)].map(
    (m) => `${m[2]!.toUpperCase()} ${m[1]}`,
  );
}
/** The metric names of the EMF documents written since the last take. */
function emfMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const doc = JSON.parse(line) as {
      _aws?: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
    };
    // Appliance records share the stream; only EMF documents carry `_aws`.
    if (doc._aws === undefined) continue;
    for (const d of doc._aws.CloudWatchMetrics) for (const m of d.Metrics) names.add(m.Name);
  }
  return names;
}

describe('runCycle against the lab', () => {
  it('a healthy lab: no findings, every path up, nothing paged, metrics written', async () => {
    const r = await cycle('full');

    expect(r.findings).toEqual([]);
    expect(r.problems).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.appliances).toEqual(['sma1', 'esa1', 'esa2']);
    expect(r.listener.map((o) => o.probe.code)).toEqual(['ok', 'ok', 'ok']);
    expect(r.config.map((o) => [o.appliance, o.read.code])).toEqual([
      ['sma1', 'ok'],
      ['esa1', 'ok'],
      ['esa2', 'ok'],
    ]);
    expect(pathStates(r)).toEqual({
      'esa1->sma1': 'up',
      'esa2->sma1': 'up',
      'sma1->esa1': 'up',
      'sma1->esa2': 'up',
    });
    expect(r.checked).toEqual(
      expect.arrayContaining(['sma1/cpq_listener_refused', 'esa1/cpq_queue_backlog']),
    );
    expect(r.alerts).toMatchObject({ sent: 0, failed: 0, errors: 0 });
    expect(pages.take()).toBe('');
    const names = emfMetricNames(emf.take());
    for (const n of ['ListenersDown', 'MonitorHeartbeat', 'FindingsOpen', 'SshReadFailures'])
      expect([n, names.has(n)]).toEqual([n, true]);
    expect(r.metrics.report.errors).toEqual([]);
  });

  it('a suspended SMA pages once (the listener, not each ESA), stays quiet, then recovers once', async () => {
    await cycle('full');
    await world.get('sma1').suspend();

    const down = await cycle('full');
    expect(down.findings.map((f) => [f.id, f.severity])).toEqual([['sma1/cpq_listener_refused', 'critical']]);
    // The SMA's "not online" status is folded into the refused listener, not paged separately.
    expect(down.explained.map((e) => [e.id, e.by])).toEqual([
      ['sma1/system_not_online', 'sma1/cpq_listener_refused'],
    ]);
    expect(pathStates(down)).toEqual({
      'esa1->sma1': 'down',
      'esa2->sma1': 'down',
      'sma1->esa1': 'up',
      'sma1->esa2': 'up',
    });
    expect(down.alerts.sent).toBe(1);
    const page = pages.take();
    expect(notificationsIn(page)).toEqual(['PAGE sma1/cpq_listener_refused']);
    expect(page).toContain('`resume`');
    expect(page).toContain('paths affected: esa1->sma1, esa2->sma1');

    const still = await cycle('full');
    expect(ids(still)).toEqual(['sma1/cpq_listener_refused']);
    expect(still.alerts.sent).toBe(0);
    expect(pages.take()).toBe('');

    await world.get('sma1').resume();
    const up = await cycle('full');
    expect(up.findings).toEqual([]);
    expect(Object.values(pathStates(up))).toEqual(['up', 'up', 'up', 'up']);
    expect(notificationsIn(pages.take())).toEqual(['RECOVERY sma1/cpq_listener_refused']);

    await cycle('full');
    expect(pages.take()).toBe('');
  });

  it('an ESA offering anonymous suites first: one page, predicted over SSH, its own path fails the probe', async () => {
    await cycle('full');
    world.get('esa1').setOutboundCiphers(ANONYMOUS_FIRST);

    const ssh = await cycle('ssh');
    expect(ssh.listener).toEqual([]);
    // One incident, one page: the TLS failures in esa1's mail_logs are folded into their cause.
    expect(ssh.findings.map((f) => [f.id, f.severity])).toEqual([
      ['esa1/outbound_ciphers_allow_anonymous', 'critical'],
    ]);
    expect(ssh.explained).toEqual(
      expect.arrayContaining([
        { id: 'esa1/cpq_tls_log_failures', by: 'esa1/outbound_ciphers_allow_anonymous' },
      ]),
    );
    const cause = ssh.findings[0]!;
    expect(cause.remediation.join('\n')).toContain(':-aNULL');
    expect(cause.evidence.join('\n')).toContain(ANONYMOUS_FIRST);
    expect(cause.evidence.join('\n')).toContain('also explains esa1/cpq_tls_log_failures');
    expect(pathStates(ssh)).toMatchObject({ 'esa1->sma1': 'down', 'esa2->sma1': 'up' });
    expect(notificationsIn(pages.take())).toEqual(['PAGE esa1/outbound_ciphers_allow_anonymous']);

    // The SSH cycle remembered each ESA's list: the SMA's listener is now probed once per ESA,
    // and only esa1's offer gets an anonymous handshake (no certificate).
    const probe = await cycle('probe');
    expect(probe.config).toEqual([]);
    const smaProbes = probe.listener.filter((o) => o.appliance === 'sma1');
    expect(smaProbes.map((o) => [o.from, o.probe.code])).toEqual([
      ['esa1', 'tls_no_certificate'],
      ['esa2', 'ok'],
    ]);
    // The per-path finding is raised and folded into the paged cause, so it does not page again.
    expect(probe.explained).toEqual([
      { id: 'esa1->sma1/cpq_tls_anonymous', by: 'esa1/outbound_ciphers_allow_anonymous' },
    ]);
    expect(pathStates(probe)).toEqual({
      'esa1->sma1': 'down',
      'esa2->sma1': 'up',
      'sma1->esa1': 'up',
      'sma1->esa2': 'up',
    });
    expect(probe.paths.find((p) => p.id === 'esa1->sma1')!.reason).toContain('esa1->sma1/cpq_tls_anonymous');
    expect(pages.take()).toBe('');

    // Fixed on the appliance (`:-aNULL` appended): the next read recovers the alert, the next
    // probe the path.
    world.get('esa1').setOutboundCiphers(`${ANONYMOUS_FIRST}:-aNULL`);
    const read = await cycle('ssh');
    expect(read.findings).toEqual([]);
    expect(notificationsIn(pages.take())).toEqual(['RECOVERY esa1/outbound_ciphers_allow_anonymous']);
    const fixed = await cycle('probe');
    // The two lists still differ as text, so each ESA's offer is still probed on its own.
    expect(fixed.listener.filter((o) => o.appliance === 'sma1').map((o) => [o.from, o.probe.code])).toEqual([
      ['esa1', 'ok'],
      ['esa2', 'ok'],
    ]);
    expect(fixed.findings).toEqual([]);
    expect(fixed.explained).toEqual([]);
    expect(Object.values(pathStates(fixed))).toEqual(['up', 'up', 'up', 'up']);
    expect(pages.take()).toBe('');
  });

  it('the CPQ queue over its critical threshold on an ESA is cpq_queue_backlog', async () => {
    world.get('esa2').setCpqQueue(inventory.queues.critical! + 100);
    const r = await cycle('ssh');
    const backlog = r.findings.filter((f) => f.check === 'cpq_queue_backlog');
    expect(backlog.map((f) => [f.id, f.severity])).toEqual([['esa2/cpq_queue_backlog', 'critical']]);
    expect(backlog[0]!.evidence.join('\n')).toContain('the.cpq.host');
    expect(notificationsIn(pages.take())).toContain('PAGE esa2/cpq_queue_backlog');
  });

  it('a shard of ESAs reads its SMA for context but leaves the SMA’s own findings to the SMA’s shard', async () => {
    await world.get('sma1').suspend('listeners');
    const r = await runCycle(
      {
        inventory,
        kind: 'ssh',
        appliances: ['esa1', 'esa2', 'esa9'],
        memoryKey: 'shard-1-of-2',
        deadline: Date.now() + 25_000,
      },
      deps,
    );
    expect(r.appliances).toEqual(['esa1', 'esa2']);
    expect(r.context).toEqual(['sma1']);
    expect(r.unknownAppliances).toEqual(['esa9']);
    expect(r.problems).toEqual(['asked for appliances not enabled in the inventory: esa9']);
    // The SMA was read (the cross-appliance rules need it) but is not judged here.
    expect(r.config.map((o) => o.appliance)).toEqual(['esa1', 'esa2']);
    expect(r.findings.filter((f) => f.appliance === 'sma1')).toEqual([]);
    expect(r.checked.some((id) => id.startsWith('sma1/'))).toBe(false);
    expect(r.checked).toEqual(expect.arrayContaining(['esa1/cpq_queue_backlog', 'esa2/listeners_suspended']));
    expect(pages.take()).toBe('');
    // Its memory is its own: the SSH part under the shard's key, nothing for the SMA in it.
    const part = await deps.memory.load('ssh/shard-1-of-2');
    expect(Object.keys(part!.outboundCiphers ?? {}).sort()).toEqual(['esa1', 'esa2']);
    await expect(deps.memory.load('ssh/all')).resolves.toBeUndefined();
  });

  it('a maintenance window on the SMA mutes its page and says so', async () => {
    const now = Date.now();
    inventory = {
      ...inventory,
      maintenance: [
        {
          appliance: 'sma1',
          start: new Date(now - 60_000).toISOString(),
          end: new Date(now + 3_600_000).toISOString(),
          reason: 'AsyncOS upgrade CHG-1234',
        },
      ],
    };
    await world.get('sma1').suspend();
    const r = await cycle('full');
    expect(ids(r)).toEqual(['sma1/cpq_listener_refused']);
    expect(r.alerts).toMatchObject({ sent: 0, muted: 1 });
    expect(r.alerts.alerts.find((a) => a.id === 'sma1/cpq_listener_refused')?.muted).toMatchObject({
      reason: 'AsyncOS upgrade CHG-1234',
    });
    expect(pages.take()).toBe('');
  });

  it('a memory store that throws: the cycle completes, pages, and reports the problem', async () => {
    const broken: MemoryStore = {
      load: async (key) => {
        throw new MemoryStoreError(`table unavailable for ${key}`);
      },
      save: async (key) => {
        throw new MemoryStoreError(`table unavailable for ${key}`);
      },
    };
    await world.get('sma1').suspend();
    const r = await cycle('full', { memory: broken });

    expect(ids(r)).toEqual(['sma1/cpq_listener_refused']);
    expect(r.alerts.sent).toBe(1);
    expect(r.problems).toEqual([
      'cycle memory probe/all unreadable, starting without it: table unavailable for probe/all',
      'cycle memory ssh/all unreadable, starting without it: table unavailable for ssh/all',
      'cycle memory probe/all not saved (queue growth and log cursors restart): table unavailable for probe/all',
      'cycle memory ssh/all not saved (queue growth and log cursors restart): table unavailable for ssh/all',
    ]);
    expect(r.metrics.report.errors).toEqual([]);
  });

  it('a deadline already passed: nothing is probed or read, all of it reported, no alert recovers', async () => {
    await world.get('sma1').suspend();
    await cycle('full');
    expect(notificationsIn(pages.take())).toEqual(['PAGE sma1/cpq_listener_refused']);
    await world.get('sma1').resume();

    const late = await cycle('full', {}, Date.now() - 1);
    expect(late.listener).toEqual([]);
    expect(late.config).toEqual([]);
    expect(late.skipped.sort()).toEqual(
      ['probe esa1', 'probe esa2', 'probe sma1', 'ssh esa1', 'ssh esa2', 'ssh sma1'].sort(),
    );
    expect(late.findings).toEqual([]);
    expect(late.checked).toEqual([]);
    // Not having looked is not a recovery: the alarm stays, nothing is sent.
    expect(late.alerts.sent).toBe(0);
    // And no heartbeat: the watchdog must learn that the monitor is not keeping up.
    expect(late.metrics.data.some((d) => d.name === 'MonitorHeartbeat')).toBe(false);
    expect(pages.take()).toBe('');
    const alarm = (await deps.store.get(['sma1/cpq_listener_refused'])).get('sma1/cpq_listener_refused');
    expect(alarm?.state).toBe('alarm');

    // The next cycle in time sees the listener back and recovers it.
    const next = await cycle('full');
    expect(next.findings).toEqual([]);
    expect(notificationsIn(pages.take())).toEqual(['RECOVERY sma1/cpq_listener_refused']);
    expect(next.metrics.data.some((d) => d.name === 'MonitorHeartbeat')).toBe(true);
  });

  it('a cross-appliance finding is kept by the shard that owns the ESA and reads its SMA as context', async () => {
    // Prepare: esa1 is configured to send to port 7999, which sma1's cpq_listener does not use.
    const template = loadInventory(LAB);
    template.appliances = template.appliances.map((a) =>
      a.name === 'esa1' && a.quarantine ? { ...a, quarantine: { ...a.quarantine, port: 7999 } } : a,
    );
    const other = await startLabWorld(template, { ephemeralPorts: true, password: PASSWORD });
    try {
      // Act: the SSH cycle of a shard holding only the ESAs.
      const r = await runCycle(
        {
          inventory: other.inventory,
          kind: 'ssh',
          appliances: ['esa1', 'esa2'],
          deadline: Date.now() + 25_000,
        },
        deps,
      );
      // Assess: the path finding survives the context filter; the SMA's own checks do not.
      expect(r.context).toEqual(['sma1']);
      expect(ids(r)).toContain('esa1->sma1/cpq_port_mismatch');
      expect(r.checked).toContain('esa2->sma1/cpq_port_mismatch');
      expect(r.checked.some((id) => id.startsWith('sma1/'))).toBe(false);
    } finally {
      await other.close();
    }
  });
});
