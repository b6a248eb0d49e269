/**
 * `cpq-monitor demo` (what `npm start` runs): a lab of one SMA and a two-ESA cluster on loopback,
 * monitored by the real cycle while faults are injected one by one, each page and recovery shown
 * as it happens; then on-call silences a fault and acknowledges another (docs/alerts.md#silences);
 * then a summary. Nothing leaves the machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { LAB_DEFAULT_PASSWORD, type LabWorld, startLabWorld } from '../lab/world';
import { ConsoleNotifier } from '../shared/alerts/console-notifier';
import { type CycleReport, runCycle } from '../shared/cycle/run';
import { EXIT } from '../shared/errors';
import { loadInventory } from '../shared/inventory/load';
import { packageRoot } from '../shared/package-root';
import { ackAlert } from './ack';
import { queryAlerts, renderAlerts } from './alerts';
import { mutedOf, renderCycle } from './cycle-report';
import { watchHint } from './lab-world';
import { localCycleDeps } from './local-cycle';
import { localStateFiles } from './local-state';
import { println, RUN_COMMAND, table } from './output';
import { renderMutes, silenceAdd, silenceList } from './silence';

/** Minutes between reminders in the demo when the lab inventory sets none. */
const ON_CALL_REMINDER_MINUTES = 10;

/** One scripted fault: how to break the world, how to mend it, and what should page. */
interface Scenario {
  title: string;
  /** The AsyncOS action it imitates, for the narration. */
  asAdmin: string;
  expect: string;
  brk(world: LabWorld): Promise<void> | void;
  fix(world: LabWorld): Promise<void> | void;
  fixAsAdmin: string;
  /** Cycles to run while broken (some faults need an SSH read before the probe can show them). */
  brokenCycles: number;
}

/** An outbound list that lets anonymous suites win (docs/domain.md#the-anonymous-cipher-failure). */
export const DEMO_ANONYMOUS_CIPHERS = 'aNULL:HIGH:MEDIUM:-SSLv2';
const FIXED_CIPHERS = 'HIGH:MEDIUM:-SSLv2:-aNULL';

export const SCENARIOS: Scenario[] = [
  {
    title: "The SMA's listeners are suspended",
    asAdmin: 'sma1> suspendlistener',
    expect: 'one critical page for sma1 (not one per ESA); both ESA→SMA paths down',
    brk: (w) => w.get('sma1').suspend('listeners'),
    fix: (w) => w.get('sma1').resume(),
    fixAsAdmin: 'sma1> resume',
    brokenCycles: 1,
  },
  {
    title: "An ESA's outbound cipher list lets anonymous suites through",
    asAdmin: `esa1> sslconfig → OUTBOUND → ${DEMO_ANONYMOUS_CIPHERS}`,
    expect:
      'one critical page for esa1 naming its outbound list as the cause; the "no certificate from server" lines of its mail_logs and the anonymous handshake on esa1->sma1 are its evidence, not extra pages; esa2->sma1 stays up',
    brk: (w) => w.get('esa1').setOutboundCiphers(DEMO_ANONYMOUS_CIPHERS),
    fix: (w) => w.get('esa1').setOutboundCiphers(FIXED_CIPHERS),
    fixAsAdmin: `esa1> sslconfig → OUTBOUND → ${FIXED_CIPHERS}; commit`,
    brokenCycles: 2,
  },
  {
    title: "The SMA's CPQ certificate has expired",
    asAdmin: '(time passes)',
    expect: 'a critical cpq_cert_expired page for sma1',
    brk: (w) => w.get('sma1').listener.setFault('expired_cert'),
    fix: (w) => w.get('sma1').listener.setFault('none'),
    fixAsAdmin: 'sma1: install a renewed certificate',
    brokenCycles: 1,
  },
  {
    title: 'Quarantined mail backs up on an ESA (the.cpq.host)',
    asAdmin: 'esa2> tophosts → the.cpq.host 800 recipients, marked down',
    expect: 'a cpq_queue_backlog page for esa2',
    brk: (w) => w.get('esa2').setCpqQueue(800, true),
    fix: (w) => w.get('esa2').setCpqQueue(0, false),
    fixAsAdmin: 'the path is mended; esa2 delivers its queue',
    brokenCycles: 1,
  },
];

interface DemoFlags {
  inventory: string;
  verbose?: boolean;
}

/** Registers `demo` on the program. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('Start the lab, monitor it, inject faults one by one and show every page and recovery')
    .option('--inventory <file>', 'lab description', resolve(packageRoot(), 'config', 'lab.yaml'))
    .option('--verbose', 'print every cycle in full')
    .action(async (flags: DemoFlags) => {
      process.exitCode = await runDemo(flags);
    });
}

/** One scripted outcome, for the summary. */
interface DemoResult {
  scenario: string;
  pages: string[];
  recoveries: string[];
  ok: boolean;
}

/** What the demo's scenes share: the lab, its inventory file, a cycle runner, the clock. */
interface DemoRun {
  world: LabWorld;
  inventoryFile: string;
  cycle(label: string): Promise<CycleReport>;
  clock(): Date;
  /** Moves the cycles' clock ahead (to a silence's end, a reminder). */
  skip(ms: number): void;
  results: DemoResult[];
}

/** Alert ids whose page (or recovery) this cycle delivered. */
function pagesOf(r: CycleReport, kind: 'page' | 'recovery'): string[] {
  return r.alerts.alerts.flatMap((a) =>
    a.notifications
      .filter(
        (n) => n.outcome === 'sent' && (kind === 'page' ? n.kind !== 'recovery' : n.kind === 'recovery'),
      )
      .map(() => a.id),
  );
}

async function runDemo(flags: DemoFlags): Promise<number> {
  const env = { ...process.env, CPQ_LAB_PASSWORD: process.env.CPQ_LAB_PASSWORD ?? LAB_DEFAULT_PASSWORD };
  const template = loadInventory(flags.inventory);
  // The on-call part shows an ack holding back a reminder: reminders must be on.
  if (template.alerting.reminderMinutes === 0) template.alerting.reminderMinutes = ON_CALL_REMINDER_MINUTES;
  const world = await startLabWorld(template, {
    ephemeralPorts: true,
    password: env.CPQ_LAB_PASSWORD,
  });
  const dir = mkdtempSync(join(tmpdir(), 'cpq-monitor-demo-'));
  // The lab's inventory as a file, so the demo's state lives where `check`, `silence`, `ack` and
  // `alerts` would find it from `--inventory`, and the commands it prints work as shown.
  const inventoryFile = join(dir, 'lab.json');
  writeFileSync(inventoryFile, JSON.stringify(world.inventory));
  const files = localStateFiles({ inventory: inventoryFile });
  const deps = localCycleDeps(world.inventory, {
    statePath: files.state,
    emf: files.emf,
    baseDir: dir,
    env,
    notifier: new ConsoleNotifier(process.stdout),
  });
  let skewMs = 0;
  const clock = () => new Date(Date.now() + skewMs);
  const d: DemoRun = {
    world,
    inventoryFile,
    clock,
    skip: (ms) => {
      skewMs += ms;
    },
    results: [],
    cycle: async (label) => {
      println(`\n== ${label}`);
      const r = await runCycle(
        { inventory: world.inventory, kind: 'full', deadline: Date.now() + 30_000, baseDir: dir },
        { ...deps, now: clock },
      );
      println(flags.verbose ? renderCycle(r) : brief(r));
      return r;
    },
  };
  try {
    printLab(world);
    const healthy = await d.cycle('Cycle 1: everything healthy');
    if (healthy.findings.length > 0) println('(the lab started with findings: see above)');
    await playFaults(d);
    // On call: a silence mutes a fault, an ack holds back a reminder; no restart, no deploy.
    await playOnCall(d);
    return printSummary(d.results);
  } finally {
    await deps.close();
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printLab(world: LabWorld): void {
  println('cpq-monitor demo: a lab of simulated appliances on 127.0.0.1');
  println(
    table(
      ['appliance', 'role', 'CPQ listener', 'SSH', 'sends quarantine to'],
      world.inventory.appliances.map((a) => [
        a.name,
        a.role + (a.cluster ? ` (cluster ${a.cluster})` : ''),
        `${a.host}:${a.cpqPort}`,
        a.ssh ? `${a.host}:${a.ssh.port}` : '-',
        a.quarantine ? `${a.quarantine.sma}:${a.quarantine.port}` : '-',
      ]),
    ),
  );
}

/** Each scripted fault: break, cycle until it pages, mend, cycle until it recovers. */
async function playFaults(d: DemoRun): Promise<void> {
  for (const s of SCENARIOS) {
    println(`\n\n### Fault: ${s.title}\n    as an admin would: ${s.asAdmin}\n    expected: ${s.expect}`);
    await s.brk(d.world);
    const pages: string[] = [];
    for (let i = 0; i < s.brokenCycles; i++) {
      pages.push(...pagesOf(await d.cycle(`Cycle with the fault (${i + 1}/${s.brokenCycles})`), 'page'));
    }
    println(`\n### Fix: ${s.fixAsAdmin}`);
    await s.fix(d.world);
    let recoveries: string[] = [];
    for (let i = 0; i < 2 && recoveries.length < new Set(pages).size; i++) {
      recoveries = [...recoveries, ...pagesOf(await d.cycle(`Cycle after the fix (${i + 1})`), 'recovery')];
    }
    d.results.push({
      scenario: s.title,
      pages: [...new Set(pages)],
      recoveries: [...new Set(recoveries)],
      ok: pages.length > 0 && new Set(recoveries).size === new Set(pages).size,
    });
  }
}

/** On call: a silence mutes a fault, an ack holds back a reminder; no restart, no deploy. */
async function playOnCall(d: DemoRun): Promise<void> {
  println('\n\n### On call: esa2 goes into unplanned work; silence it for 30 minutes');
  const { silence } = await silenceAdd(
    {
      inventory: d.inventoryFile,
      appliance: 'esa2',
      for: '30m',
      reason: 'disk swap CHG-42',
      author: 'demo-oncall',
    },
    d.clock(),
  );
  println(
    `    $ ${RUN_COMMAND} silence add --appliance esa2 --for 30m --reason 'disk swap CHG-42' --inventory ${d.inventoryFile}   → ${silence.id}`,
  );
  d.world.get('esa2').setCpqQueue(800, true);
  const silenced = await d.cycle('Cycle with esa2 backing up, silenced');
  const held = mutedOf(silenced).filter((m) => m.alert === 'esa2/cpq_queue_backlog' && m.kind === 'page');
  for (const m of held) println(`   (no page) ${m.alert}: ${m.kind} held back by ${m.by}`);
  println(`    $ ${RUN_COMMAND} silence list --inventory ${d.inventoryFile}`);
  println(renderMutes((await silenceList({ inventory: d.inventoryFile }, d.clock())).mutes));
  d.world.get('esa2').setCpqQueue(0, false);
  const mended = await d.cycle('Cycle after the work: the silenced incident ends without a word');
  d.results.push({
    scenario: 'esa2 backs up under a silence (muted: no page, no recovery)',
    pages: pagesOf(silenced, 'page'),
    recoveries: pagesOf(mended, 'recovery'),
    ok:
      held.length === 1 &&
      pagesOf(silenced, 'page').length === 0 &&
      pagesOf(mended, 'recovery').length === 0 &&
      mended.findings.length === 0,
  });

  println(`\n\n### On call: sma1's certificate expires; on-call acknowledges the page`);
  d.world.get('sma1').listener.setFault('expired_cert');
  const paged = pagesOf(await d.cycle('Cycle with the expired certificate'), 'page');
  const { ack } = await ackAlert(
    'sma1/cpq_cert_expired',
    { inventory: d.inventoryFile, reason: 'renewal ordered, CHG-43', author: 'demo-oncall' },
    d.clock(),
  );
  println(
    `    $ ${RUN_COMMAND} ack sma1/cpq_cert_expired --reason '${ack.reason}' --inventory ${d.inventoryFile}`,
  );
  println(`    $ ${RUN_COMMAND} alerts --inventory ${d.inventoryFile}`);
  println(renderAlerts(await queryAlerts({ inventory: d.inventoryFile }, undefined, d.clock())));
  d.skip(d.world.inventory.alerting.reminderMinutes * 60_000);
  const later = await d.cycle(
    `${d.world.inventory.alerting.reminderMinutes} minutes later: a reminder is due, the ack holds it back`,
  );
  const reminders = mutedOf(later).filter(
    (m) => m.kind === 'reminder' && m.alert === 'sma1/cpq_cert_expired',
  );
  for (const m of reminders) println(`   (no reminder) ${m.alert}: held back, ${m.by}`);
  d.world.get('sma1').listener.setFault('none');
  const recovered = pagesOf(
    await d.cycle('Cycle after the renewal: the recovery still goes out'),
    'recovery',
  );
  d.results.push({
    scenario: 'sma1 certificate expires, acknowledged (reminder held back)',
    pages: [...new Set(paged)],
    recoveries: recovered,
    ok:
      paged.length === 1 &&
      reminders.length === 1 &&
      pagesOf(later, 'page').length === 0 &&
      recovered.length === 1,
  });
  // Leave the silence's window behind, so nothing of the demo is left muted.
  d.skip(30 * 60_000);
}

/** The summary table and the exit code: 0 when every scene went as expected. */
function printSummary(results: readonly DemoResult[]): number {
  println('\n\n== Summary');
  println(
    table(
      ['fault', 'paged', 'recovered'],
      results.map((r) => [
        r.scenario,
        r.pages.join('\n') || '(nothing)',
        r.recoveries.join('\n') || '(nothing)',
      ]),
    ),
  );
  const ok = results.every((r) => r.ok);
  println(
    ok
      ? 'Every fault paged with its cause and fix and recovered; the silenced one paged nothing, and the ack held back the reminder.'
      : 'Some fault did not page or did not recover: see above.',
  );
  println(`Try it by hand: ${RUN_COMMAND} lab --inventory config/lab.yaml, then in another shell`);
  println(`  ${watchHint('config/lab.yaml')}`);
  return ok ? EXIT.ok : EXIT.critical;
}

/** One line per finding and notification: the pages themselves are printed by the notifier. */
function brief(r: CycleReport): string {
  const findings =
    r.findings.length === 0 ? 'no findings' : r.findings.map((f) => `${f.severity} ${f.id}`).join(', ');
  const down = r.paths.filter((p) => p.state !== 'up').map((p) => `${p.id} ${p.state}`);
  return `   ${r.listener.length} probes, ${r.config.length} SSH reads in ${(r.durationMs / 1000).toFixed(2)} s → ${findings}${down.length ? `; paths: ${down.join(', ')}` : '; every path up'}`;
}
