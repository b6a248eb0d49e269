/**
 * Silences and acknowledgements against the lab (config/lab.yaml on loopback): the operator
 * commands write the state file the cycle keeps, and the next cycle honours them with no
 * restart or redeploy. The clock is injected so expiry and reminders happen on time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ackAlert } from '../../../cli/ack';
import { silenceAdd, silenceList } from '../../../cli/silence';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { ConsoleNotifier } from '../../../shared/alerts/console-notifier';
import { credentialResolver } from '../../../shared/cycle/credentials';
import { ALL_PROBERS } from '../../../shared/cycle/probers';
import { type CycleDeps, type CycleReport, runCycle } from '../../../shared/cycle/run';
import { loadInventory } from '../../../shared/inventory/load';
import type { Inventory } from '../../../shared/inventory/schema';
import { EmfSink } from '../../../shared/metrics/emf-sink';
import { FileAlertStore } from '../../../shared/state/alerts/file';
import { FileMemoryStore } from '../../../shared/state/memory/file';
import { FileOperatorStore } from '../../../shared/state/operators/file';

const PASSWORD = 'lab-oncall-pw-8a2f';
const LAB = join(__dirname, '../../../config/lab.yaml');
const QUEUE = 'esa2/cpq_queue_backlog';
const CERT = 'sma1/cpq_cert_expired';

let world: LabWorld;
let inventory: Inventory;
let dir: string;
let state: string;
let deps: CycleDeps;
let sink: PassThrough;
const T0 = Date.now();
const minute = (m: number) => new Date(T0 + m * 60_000);

beforeEach(async () => {
  const template = loadInventory(LAB);
  template.alerting = {
    ...template.alerting,
    failuresBeforePage: 1,
    successesBeforeRecovery: 1,
    reminderMinutes: 5,
  };
  world = await startLabWorld(template, { ephemeralPorts: true, password: PASSWORD });
  inventory = world.inventory;
  dir = mkdtempSync(join(tmpdir(), 'cpq-oncall-'));
  state = join(dir, 'state.json');
  sink = new PassThrough().resume();
  deps = {
    probers: ALL_PROBERS,
    store: new FileAlertStore(state),
    operators: new FileOperatorStore(state),
    memory: new FileMemoryStore(join(dir, 'memory.json')),
    notifier: new ConsoleNotifier(new PassThrough().resume()),
    sink: new EmfSink(sink, { namespace: 'CPQMonitorTest' }),
    credentials: credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }),
  };
});

afterEach(async () => {
  await world.close();
  sink.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** One full cycle at `m` minutes after T0. */
function cycleAt(m: number): Promise<CycleReport> {
  return runCycle(
    { inventory, kind: 'full', deadline: Date.now() + 25_000 },
    { ...deps, now: () => minute(m) },
  );
}

/** `KIND id` of each notification this cycle sent, and of each it held back (`muted KIND id by`). */
function told(r: CycleReport): string[] {
  return r.alerts.alerts.flatMap((a) =>
    a.notifications.map((n) =>
      n.outcome === 'muted' ? `muted ${n.kind} ${a.id} by ${n.mutedBy}` : `${n.outcome} ${n.kind} ${a.id}`,
    ),
  );
}

describe('on-call at run time against the lab', () => {
  it('a silence added while the fleet is failing stops the next page, and ends on time', async () => {
    // The fleet is failing and has paged.
    world.get('esa2').setCpqQueue(800, true);
    expect(told(await cycleAt(0))).toEqual([`sent page ${QUEUE}`]);

    // On-call silences sma1 for ten minutes (the state file the cycle keeps; no restart).
    const { silence } = await silenceAdd(
      { state, appliance: 'sma1', for: '10m', reason: 'certificate renewal CHG-9', author: 'alice' },
      minute(1),
    );
    world.get('sma1').listener.setFault('expired_cert');

    const muted = await cycleAt(2);
    expect(told(muted)).toEqual([`muted page ${CERT} by silence ${silence.id} (certificate renewal CHG-9)`]);
    const record = (await deps.store.get([CERT])).get(CERT)!;
    expect(record).toMatchObject({
      state: 'alarm',
      pagedSeverity: null,
      muted: { source: 'silence', silenceId: silence.id, author: 'alice', until: minute(11).toISOString() },
    });
    expect(record.withheld?.map((w) => w.kind)).toEqual(['page']);
    const listed = (await silenceList({ state }, minute(3))).mutes;
    expect(listed.map((l) => [l.id, l.muting])).toEqual([[silence.id, [CERT]]]);

    // Still inside the silence: still quiet about sma1 (esa2, not silenced, gets its reminder).
    expect(told(await cycleAt(10))).toEqual([
      `sent reminder ${QUEUE}`,
      `muted page ${CERT} by silence ${silence.id} (certificate renewal CHG-9)`,
    ]);
    // It ended at minute 11: the alert still fails, so it pages.
    const after = await cycleAt(11);
    expect(told(after)).toEqual([`sent page ${CERT}`]);
    expect((await deps.store.get([CERT])).get(CERT)!.muted).toBeNull();
  });

  it('an ack stops the reminders of an incident, and the next incident pages again', async () => {
    world.get('esa2').setCpqQueue(800, true);
    expect(told(await cycleAt(0))).toEqual([`sent page ${QUEUE}`]);
    const { ack } = await ackAlert(QUEUE, { state, reason: 'draining the queue', author: 'bob' }, minute(1));
    expect(ack.since).toBe(minute(0).toISOString());

    const quiet = await cycleAt(6);
    expect(told(quiet)).toEqual([`muted reminder ${QUEUE} by acknowledged by bob`]);
    expect(quiet.alerts.alerts.find((a) => a.id === QUEUE)!.ack).toMatchObject({ author: 'bob' });

    world.get('esa2').setCpqQueue(0, false);
    expect(told(await cycleAt(7))).toEqual([`sent recovery ${QUEUE}`]);
    world.get('esa2').setCpqQueue(800, true);
    expect(told(await cycleAt(8))).toEqual([`sent page ${QUEUE}`]);
    expect(told(await cycleAt(13))).toEqual([`sent reminder ${QUEUE}`]);
  });
});

describe('malformed operator documents never stop paging', () => {
  it('pages sma1 when the acks document is not a list', async () => {
    const doc = {
      format: 'cpq-monitor-alerts',
      formatVersion: 1,
      alerts: {},
      operator: { acks: { version: 2, items: { alertId: 'sma1/x' } } },
    };
    writeFileSync(state, JSON.stringify(doc));
    world.get('sma1').listener.setFault('refused');
    const report = await cycleAt(0);
    expect(told(report).filter((t) => t.startsWith('sent page sma1/'))).not.toEqual([]);
    expect(report.problems).toContainEqual(expect.stringMatching(/acks document .*items.* not a list/));
  });

  it('drops the bad entries, reports them as problems and a metric, and still pages sma1', async () => {
    // A silences document holding a null entry and an acks document whose items is no array,
    // written straight into the state file as a careless hand edit or another tool would.
    const good = {
      id: 'sil-0123abcd',
      appliance: 'esa9',
      createdAt: minute(0).toISOString(),
      endsAt: minute(60).toISOString(),
      reason: 'unrelated',
      author: 'carol',
    };
    const doc = {
      format: 'cpq-monitor-alerts',
      formatVersion: 1,
      alerts: {},
      operator: {
        silences: { version: 3, items: [null, good, { id: 7, appliance: ['x'] }] },
        acks: { version: 2, items: { alertId: 'sma1/x' } },
      },
    };
    writeFileSync(state, JSON.stringify(doc));
    world.get('sma1').listener.setFault('refused');

    const report = await cycleAt(0);
    expect(told(report).filter((t) => t.startsWith('sent page sma1/'))).not.toEqual([]);
    const operatorProblems = report.problems.filter((p) => /silences|acks/.test(p));
    expect(operatorProblems).toEqual([
      expect.stringMatching(/silences entry 1 dropped/),
      expect.stringMatching(/silences entry 3 dropped/),
      expect.stringMatching(/acks document .*items.* not a list/),
    ]);
    const dropped = report.metrics.data.filter((d) => d.name === 'OperatorEntriesDropped');
    expect(dropped.map((d) => d.value)).toEqual([3]);
    // The good silence is still listed.
    expect((await silenceList({ state }, minute(1))).mutes.map((m) => m.id)).toEqual([good.id]);
  });
});
