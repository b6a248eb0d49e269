/**
 * AWS that never answers: real SDK clients, built exactly as the Lambdas build them, pointed at a
 * loopback server that accepts TCP connections and never replies. The cycle must still end (by
 * its deadline), say what it could not do, and leave an undelivered page for the next cycle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createAwsClients } from '../../../functions/runtime';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { ConsoleNotifier } from '../../../shared/alerts/console-notifier';
import { SnsNotifier } from '../../../shared/alerts/sns-notifier';
import { awsClientConfig } from '../../../shared/aws/client-config';
import { credentialResolver } from '../../../shared/cycle/credentials';
import { ALL_PROBERS } from '../../../shared/cycle/probers';
import { type CycleDeps, runCycle } from '../../../shared/cycle/run';
import { loadInventory } from '../../../shared/inventory/load';
import type { Inventory } from '../../../shared/inventory/schema';
import { createLogger } from '../../../shared/log';
import { EmfSink } from '../../../shared/metrics/emf-sink';
import { DynamoDbAlertStore } from '../../../shared/state/alerts/dynamodb';
import { FileAlertStore } from '../../../shared/state/alerts/file';
import { createAlertDocumentClient } from '../../../shared/state/dynamodb';
import { DynamoDbMemoryStore } from '../../../shared/state/memory/dynamodb';
import { FileMemoryStore } from '../../../shared/state/memory/file';

const PASSWORD = 'deadline-aws-pw-1c9f';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cpq-alerts';
const TABLE = 'cpq-alerts';

/** A TCP server that accepts every connection and never sends a byte. */
let blackHole: Server;
let sockets: Socket[];
let endpoint: string;
let world: LabWorld;
let inventory: Inventory;
let dir: string;

/** Static credentials and a region: the SDK asks nothing of the environment (no instance metadata). */
const overrides = () => ({
  region: 'eu-west-1',
  endpoint,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'never-used-secret' },
});

function text() {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  return { stream, read: () => out };
}

beforeAll(async () => {
  sockets = [];
  blackHole = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  const addr = blackHole.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => blackHole.close(() => resolve()));
});

beforeEach(async () => {
  const template = loadInventory(join(__dirname, '../../../config/lab.yaml'));
  template.alerting = { ...template.alerting, failuresBeforePage: 1, successesBeforeRecovery: 1 };
  world = await startLabWorld(template, { ephemeralPorts: true, password: PASSWORD });
  inventory = world.inventory;
  dir = mkdtempSync(join(tmpdir(), 'cpq-deadline-'));
  // Something to page: the SMA's listeners are suspended.
  await world.get('sma1').suspend();
});

afterEach(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a cycle whose AWS endpoints never answer', () => {
  it('DynamoDB and SNS silent: the cycle returns by its deadline and lists the alert and memory stages it could not do', async () => {
    const clients = createAwsClients(overrides());
    const doc = createAlertDocumentClient(clients.dynamodb);
    const emf = text();
    const deps: CycleDeps = {
      probers: ALL_PROBERS,
      store: new DynamoDbAlertStore(doc, { tableName: TABLE }),
      memory: new DynamoDbMemoryStore(doc, TABLE),
      notifier: new SnsNotifier(clients.sns, { topicArn: TOPIC }),
      sink: new EmfSink(emf.stream, { namespace: 'CPQMonitorTest' }),
      credentials: credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }),
    };
    const report = await runCycle({ inventory, kind: 'probe', deadline: Date.now() + 12_000 }, deps);

    // The probes ran and found the fault...
    expect(report.findings.map((f) => f.id)).toEqual(['sma1/cpq_listener_refused']);
    expect(report.skipped).toEqual([]);
    // ... but nothing could be stored or paged, and the report says so, stage by stage.
    expect(report.alerts.error).toMatch(/cannot query open alerts of sma1 in cpq-alerts: .*aborted/i);
    expect(report.alerts.sent).toBe(0);
    const problems = report.problems.join('\n');
    expect(problems).toMatch(/cycle memory probe\/all unreadable, starting without it: .*aborted/i);
    expect(problems).toMatch(/alerts not processed: cannot query open alerts of sma1/);
    expect(problems).toMatch(/cycle memory probe\/all not saved .*aborted/i);
    // Metrics (EMF, no AWS call) still went out.
    expect(emf.read()).toContain('MonitorHeartbeat');
    // The server saw the SDK's connections: the calls really went to the silent endpoint.
    expect(sockets.length).toBeGreaterThan(0);
  }, 60_000);

  it('SNS silent: the page fails at the deadline, is logged as an error and listed, and the next cycle delivers it', async () => {
    const clients = createAwsClients(overrides());
    const log = text();
    const emf = text();
    const pages = text();
    const store = new FileAlertStore(join(dir, 'alerts.json'));
    const deps: CycleDeps = {
      probers: ALL_PROBERS,
      store,
      memory: new FileMemoryStore(join(dir, 'memory.json')),
      notifier: new SnsNotifier(clients.sns, { topicArn: TOPIC }),
      sink: new EmfSink(emf.stream, { namespace: 'CPQMonitorTest' }),
      credentials: credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }),
      logger: createLogger('test', log.stream),
    };
    const report = await runCycle({ inventory, kind: 'probe', deadline: Date.now() + 10_000 }, deps);

    expect(report.alerts).toMatchObject({ sent: 0, failed: 1 });
    const note = report.alerts.alerts[0]!.notifications[0]!;
    expect(note).toMatchObject({ kind: 'page', outcome: 'failed' });
    expect(note.error).toMatch(/^deadline_exceeded: no answer from SNS before the cycle's deadline/);
    expect(report.problems).toEqual([
      expect.stringMatching(
        /^page sma1\/cpq_listener_refused#1 of alert sma1\/cpq_listener_refused not delivered \(attempt 1, retried next cycle\): deadline_exceeded/,
      ),
    ]);
    // An error record naming the alert and the cause.
    const errors = log
      .read()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.level === 50);
    expect(errors).toEqual([
      expect.objectContaining({
        alert: 'sma1/cpq_listener_refused',
        notification: 'sma1/cpq_listener_refused#1',
        kind: 'page',
        code: 'deadline_exceeded',
        msg: 'notification not delivered: the next cycle retries it',
      }),
    ]);
    // The heartbeat is still sent: the cycle did its probes (docs/alerts.md); the failure is counted.
    const metrics = emf
      .read()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const value = (name: string) => metrics.find((m) => name in m)?.[name];
    expect([value('MonitorHeartbeat'), value('PagesSent'), value('PagesFailed')]).toEqual([1, 0, 1]);
    // The page waits in the outbox, its lease released for the next cycle.
    const [rec] = await store.all();
    expect(rec!.outbox.map((e) => [e.notification.kind, e.attempts, e.leaseUntil])).toEqual([
      ['page', 1, null],
    ]);

    // SNS is back (here: the console): the next cycle delivers the page as a retry.
    const next = await runCycle(
      { inventory, kind: 'probe', deadline: Date.now() + 20_000 },
      { ...deps, notifier: new ConsoleNotifier(pages.stream) },
    );
    expect(next.alerts).toMatchObject({ sent: 1, failed: 0, retried: 1 });
    expect(pages.read()).toContain('notification sma1/cpq_listener_refused#1');
    expect(next.problems).toEqual([]);
  }, 60_000);

  it("without a deadline the SDK's own bounds end a publish: maxAttempts connections, each cut by the request timeout", async () => {
    const before = sockets.length;
    const sns = new SNSClient(awsClientConfig(overrides(), { requestTimeoutMs: 300, maxAttempts: 3 }));
    const notifier = new SnsNotifier(sns, { topicArn: TOPIC });
    const res = await notifier.notify({
      notificationId: 'sma1/cpq_listener_refused#1',
      kind: 'page',
      alertId: 'sma1/cpq_listener_refused',
      appliance: 'sma1',
      check: 'cpq_listener_refused',
      severity: 'critical',
      state: 'alarm',
      summary: 'test',
      evidence: [],
      remediation: [],
      runbookUrl: 'docs/runbook.md#cpq_listener_refused',
      since: new Date().toISOString(),
      at: new Date().toISOString(),
    });
    expect(res).toMatchObject({ ok: false, code: 'TimeoutError', retryable: true });
    // Three attempts, no more: the SDK's retries are the only ones.
    expect(sockets.length - before).toBe(3);
    // Nothing else retries on top: the raw client also makes exactly three attempts per call.
    const raw = await sns
      .send(new PublishCommand({ TopicArn: TOPIC, Message: 'x' }))
      .catch((e: unknown) => e);
    expect((raw as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
  }, 60_000);
});
