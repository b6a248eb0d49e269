/**
 * The deployed path, outside Lambda: the probe and SSH cycle functions as `cdk synth` bundles them,
 * run in plain Node processes with the template's environment, against the lab as the fleet,
 * dynalite as the alert table and loopback SNS and Secrets Manager endpoints. One CPQ listener goes
 * down and comes back over several scheduled cycles: one page, one recovery, nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { CycleName } from '../../infra/deploy-plan';
import { type LabWorld, startLabWorld } from '../../lab/world';
import { loadInventory, parseInventory } from '../../shared/inventory/load';
import type { Inventory } from '../../shared/inventory/schema';
import type { PublishedMessage } from '../helpers/aws-stubs';
import {
  type BuiltStack,
  buildStack,
  invokeFunction,
  type LoopbackAws,
  type PhysicalNames,
  startLoopbackAws,
} from '../helpers/lambda-bundles';

const LAB = join(__dirname, '../../config/lab.yaml');
const PASSWORD = 'accept-lambda-pw-7c2a';
const SECRET_ID = 'cpq-monitor/ssh/lab';
const NAMES: PhysicalNames = {
  tableName: 'CpqMonitor-AlertState-ACCEPT',
  topicArn: 'arn:aws:sns:us-east-1:111122223333:CpqMonitor-Alerts-ACCEPT',
};
const DOWN = 'sma1/cpq_listener_refused';

/** The lab's inventory as a deployment would hold it: SSH secret in Secrets Manager, page after 2, recover after 2. */
function deployedInventory(lab: Inventory): Inventory {
  return parseInventory(
    {
      ...lab,
      alerting: { ...lab.alerting, failuresBeforePage: 2, successesBeforeRecovery: 2 },
      appliances: lab.appliances.map((a) =>
        a.ssh === undefined ? a : { ...a, ssh: { ...a.ssh, credentials: { secretId: SECRET_ID } } },
      ),
      // No VPC given: the stack creates its own, whose endpoints need the region's DynamoDB prefix list.
      deploy: { dynamoDbPrefixListId: 'pl-02cd2c6b' },
    },
    'acceptance inventory',
  );
}

let world: LabWorld;
let aws: LoopbackAws;
let built: BuiltStack;
let outdir: string;

beforeAll(async () => {
  world = await startLabWorld(loadInventory(LAB), { ephemeralPorts: true, password: PASSWORD });
  outdir = mkdtempSync(join(tmpdir(), 'cpq-accept-'));
  built = buildStack(deployedInventory(world.inventory), outdir, NAMES);
  aws = await startLoopbackAws(NAMES, { [SECRET_ID]: JSON.stringify({ password: PASSWORD }) });
}, 120_000);

afterAll(async () => {
  await Promise.all([world?.close(), aws?.close()]);
  if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
});

/** What the handlers return (the summary they log). */
interface Summary {
  cycle: string;
  appliances: number;
  probes: number;
  reads: number;
  findings: number;
  pagesSent: number;
  pagesFailed: number;
  problems: string[];
  skipped: string[];
}

/** Invokes the cycle's function with the one event its schedule sends (the lab is one shard). */
async function scheduled(cycle: CycleName): Promise<Summary> {
  const fn = built.functions[cycle];
  const events = built.scheduleEvents.filter((e) => e.cycle === cycle);
  expect([cycle, fn !== undefined, events.length]).toEqual([cycle, true, 1]);
  const run = await invokeFunction(fn!, events[0], aws.env);
  // The process's output names the cause when the bundle fails to load or the handler throws.
  expect({ error: run.error, stderr: run.error === undefined ? '' : run.stderr }).toEqual({
    error: undefined,
    stderr: '',
  });
  pagesMetric += emfSum(run.stdout, 'PagesSent');
  return run.result as Summary;
}

/** PagesSent reported in the EMF lines (the dashboard's count) over every invocation so far. */
let pagesMetric = 0;

/** The sum of one metric over the EMF documents in a function's stdout. */
function emfSum(stdout: string, metric: string): number {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => (JSON.parse(line) as Record<string, unknown>)[metric])
    .reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
}

/** `KIND alertId` of every message published so far, read from the JSON document subscribers get. */
function published(): string[] {
  return aws.sns.published.map((m: PublishedMessage) => {
    const doc = JSON.parse((JSON.parse(m.message) as { lambda: string }).lambda) as {
      kind: string;
      alertId: string;
    };
    return `${doc.kind} ${doc.alertId}`;
  });
}

describe('built cycle bundles in a plain Node process, against dynalite, SNS and the lab', () => {
  it('a CPQ listener down then back: one page after 2 failed cycles, one recovery after 2 good ones', async () => {
    const healthyProbe = await scheduled('probe');
    expect(healthyProbe).toMatchObject({
      cycle: 'probe',
      appliances: 3,
      probes: 3,
      findings: 0,
      problems: [],
    });
    const healthyRead = await scheduled('ssh');
    expect(healthyRead).toMatchObject({ cycle: 'ssh', appliances: 3, reads: 3, findings: 0, problems: [] });
    // The SSH function took its password from the (loopback) Secrets Manager.
    expect(aws.secrets.requested).toContain(SECRET_ID);
    expect(published()).toEqual([]);

    await world.get('sma1').listener.setFault('refused');
    const firstFailure = await scheduled('probe');
    expect(firstFailure).toMatchObject({ findings: 1, pagesSent: 0, pagesFailed: 0 });
    expect(published()).toEqual([]);
    const secondFailure = await scheduled('probe');
    expect(secondFailure).toMatchObject({ findings: 1, pagesSent: 1, pagesFailed: 0 });
    expect(published()).toEqual([`page ${DOWN}`]);
    // An SSH cycle while the listener is down neither pages again nor closes the alert.
    await scheduled('ssh');
    await scheduled('probe');
    expect(published()).toEqual([`page ${DOWN}`]);

    await world.get('sma1').listener.setFault('none');
    const firstSuccess = await scheduled('probe');
    expect(firstSuccess).toMatchObject({ findings: 0, pagesSent: 0 });
    expect(published()).toEqual([`page ${DOWN}`]);
    const secondSuccess = await scheduled('probe');
    expect(secondSuccess).toMatchObject({ findings: 0, pagesSent: 1, pagesFailed: 0 });
    await scheduled('probe');
    await scheduled('ssh');
    expect(published()).toEqual([`page ${DOWN}`, `recovery ${DOWN}`]);

    const [page, recovery] = aws.sns.published;
    expect(page).toMatchObject({
      topicArn: NAMES.topicArn,
      messageStructure: 'json',
      attributes: {
        appliance: 'sma1',
        check: 'cpq_listener_refused',
        kind: 'page',
        state: 'alarm',
        severity: 'critical',
      },
    });
    expect(recovery?.attributes).toMatchObject({ kind: 'recovery', state: 'ok' });
    // What the functions' metrics told CloudWatch matches what reached the topic.
    expect(pagesMetric).toBe(2);
    // The alert's record in the table is closed (the next incident starts a new one).
    const item = await aws.dynamodb.client.send(
      new GetItemCommand({ TableName: NAMES.tableName, Key: { id: { S: DOWN } } }),
    );
    expect(item.Item?.state?.S).toBe('ok');
  }, 600_000);

  it('an event for the other cycle fails the invocation with the error class the code names', async () => {
    const before = aws.sns.published.length;
    const sshEvent = built.scheduleEvents.find((e) => e.cycle === 'ssh');
    const run = await invokeFunction(built.functions.probe!, sshEvent, aws.env);
    // What Lambda reports as the error type and the dead-letter record keeps.
    expect(run.error).toEqual({
      phase: 'invoke',
      name: 'ConfigError',
      message: `the probe function received a "ssh" event: check the schedule's target`,
    });
    expect(aws.sns.published.length).toBe(before);
  }, 120_000);
});
