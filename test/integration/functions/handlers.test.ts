/**
 * The cycle Lambdas against a lab world, their AWS clients mocked at the SDK boundary: a small
 * in-memory DynamoDB table that honours the store's condition expressions, SNS, CloudWatch and
 * Secrets Manager. Each handler module is loaded inside jest.isolateModules after its environment
 * is set, as a cold start would; the SDK classes are mocked inside the same module registry.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type {
  BatchGetCommandInput,
  DynamoDBDocumentClient,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { loadInventory } from '../../../shared/inventory/load';

const PASSWORD = 'lab-fn-pw-93b2';
const TABLE = 'cpq-monitor-alerts';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cpq-monitor-alerts';
const SECRET_ID = 'cpq-monitor/lab-admin';
const LAB = join(__dirname, '../../../config/lab.yaml');
const ALL = ['sma1', 'esa1', 'esa2'];

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;
type Item = Record<string, unknown>;

/** The mocked AWS side of one cold start. */
interface Loaded {
  handler: Handler;
  ddb: AwsClientStub<DynamoDBDocumentClient>;
  sns: AwsClientStub<SNSClient>;
  sm: AwsClientStub<SecretsManagerClient>;
  cmd: {
    Put: new (...a: never[]) => unknown;
    Get: new (...a: never[]) => unknown;
    BatchGet: new (...a: never[]) => unknown;
    Scan: new (...a: never[]) => unknown;
    Query: new (...a: never[]) => unknown;
    Publish: new (...a: never[]) => unknown;
    GetSecretValue: new (...a: never[]) => unknown;
  };
}

let world: LabWorld;
let dir: string;
let inventoryFile: string;
/** The alert table, shared by every cold start of a test (as the real table is). */
let table: Map<string, Item>;
const savedEnv = { ...process.env };

function context(remainingMs = 30_000): Context {
  return {
    getRemainingTimeInMillis: () => remainingMs,
    awsRequestId: 'req-0001',
  } as unknown as Context;
}

function event(cycle: 'probe' | 'ssh', appliances = ALL) {
  return { cycle, shard: { index: 0, count: 1 }, appliances };
}

/** Sets the function's environment (only the given keys of ours) and loads the handler module. */
function coldStart(module: 'probe-cycle' | 'ssh-cycle', env: Record<string, string | undefined>): Loaded {
  for (const k of ['INVENTORY_FILE', 'ALERT_TABLE_NAME', 'ALERT_TOPIC_ARN']) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  let loaded!: Loaded;
  jest.isolateModules(() => {
    const dynamodb = require('@aws-sdk/client-dynamodb');
    const lib = require('@aws-sdk/lib-dynamodb');
    const snsMod = require('@aws-sdk/client-sns');
    const smMod = require('@aws-sdk/client-secrets-manager');
    const ddb = mockClient(lib.DynamoDBDocumentClient as typeof DynamoDBDocumentClient);
    const sns = mockClient(snsMod.SNSClient as typeof SNSClient);
    const sm = mockClient(smMod.SecretsManagerClient as typeof SecretsManagerClient);
    wireTable(ddb, lib, dynamodb);
    sns.on(snsMod.PublishCommand).resolves({ MessageId: 'msg-1' });
    sm.on(smMod.GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: PASSWORD }) });
    const mod = require(`../../../functions/${module}`) as { handler: Handler };
    loaded = {
      handler: mod.handler,
      ddb,
      sns,
      sm,
      cmd: {
        Put: lib.PutCommand,
        Get: lib.GetCommand,
        BatchGet: lib.BatchGetCommand,
        Scan: lib.ScanCommand,
        Query: lib.QueryCommand,
        Publish: snsMod.PublishCommand,
        GetSecretValue: smMod.GetSecretValueCommand,
      },
    };
  });
  return loaded;
}

/** Answers the document client from `table`, enforcing the conditions the stores write with. */
function wireTable(
  ddb: AwsClientStub<DynamoDBDocumentClient>,
  // biome-ignore lint/suspicious/noExplicitAny: module objects required inside isolateModules
  lib: any,
  // biome-ignore lint/suspicious/noExplicitAny: module objects required inside isolateModules
  dynamodb: any,
): void {
  const failed = () =>
    new dynamodb.ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
  ddb.on(lib.PutCommand).callsFake(async (input: PutCommandInput) => {
    const item = structuredClone(input.Item!) as Item;
    const current = table.get(item.id as string);
    const cond = input.ConditionExpression;
    if (cond === 'attribute_not_exists(#id)') {
      if (current !== undefined) throw failed();
    } else if (cond === '#version = :expected') {
      if (current?.version !== input.ExpressionAttributeValues![':expected']) throw failed();
    } else if (cond !== undefined) {
      throw new Error(`the test table does not know the condition ${cond}`);
    }
    table.set(item.id as string, item);
    return {};
  });
  ddb.on(lib.GetCommand).callsFake(async (input: GetCommandInput) => ({
    Item: structuredClone(table.get(input.Key!.id as string)),
  }));
  ddb.on(lib.BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => {
    const keys = input.RequestItems![TABLE]!.Keys!;
    const found = keys.map((k) => table.get(k.id as string)).filter((i) => i !== undefined);
    return { Responses: { [TABLE]: structuredClone(found) } };
  });
  // The appliance index with the store's filter: attribute_exists(#state) AND (#state <> :ok OR
  // size(#outbox) > :zero). A cycle never scans the table: a Scan fails the test.
  ddb.on(lib.QueryCommand).callsFake(async (input: QueryCommandInput) => {
    if (input.IndexName !== 'by-appliance') throw new Error(`the test table has no index ${input.IndexName}`);
    const appliance = input.ExpressionAttributeValues![':appliance'];
    return {
      Items: structuredClone(
        [...table.values()].filter(
          (i) =>
            i.appliance === appliance &&
            i.state !== undefined &&
            (i.state !== 'ok' || ((i.outbox as unknown[]) ?? []).length > 0),
        ),
      ),
    };
  });
  ddb.on(lib.ScanCommand).rejects(new Error('a cycle scanned the whole alert table'));
}

function goodEnv() {
  return { INVENTORY_FILE: inventoryFile, ALERT_TABLE_NAME: TABLE, ALERT_TOPIC_ARN: TOPIC };
}

/** What the functions wrote to stdout since the test began: EMF documents and appliance records. */
let stdout: string[] = [];

function stdoutDocs(): Array<Record<string, unknown>> {
  return stdout
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The EMF documents: CloudWatch Logs extracts the metrics from these lines. */
function emfDocs(): Array<
  Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } }
> {
  return stdoutDocs().filter((d) => '_aws' in d) as never;
}

function heartbeats(): string[] {
  return emfDocs()
    .filter((d) => 'MonitorHeartbeat' in d)
    .map((d) => String(d.Cycle));
}

beforeEach(() => {
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, enc?: unknown, cb?: unknown) => {
    stdout.push(String(chunk));
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as never);
});

afterEach(() => {
  jest.restoreAllMocks();
});

beforeAll(() => {
  process.env.AWS_REGION = 'eu-west-1';
  // The handlers log a summary per cycle; the test reads the returned summary instead.
  process.env.LOG_LEVEL = 'silent';
});

describe('against a lab world', () => {
  beforeEach(async () => {
    world = await startLabWorld(loadInventory(LAB), { ephemeralPorts: true, password: PASSWORD });
    dir = mkdtempSync(join(tmpdir(), 'cpq-fn-'));
    inventoryFile = join(dir, 'inventory.json');
    const inv = world.inventory;
    const doc = {
      ...inv,
      appliances: inv.appliances.map((a) =>
        a.ssh ? { ...a, ssh: { ...a.ssh, credentials: { secretId: SECRET_ID } } } : a,
      ),
    };
    writeFileSync(inventoryFile, JSON.stringify(doc));
    table = new Map();
  });

  afterEach(async () => {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterAll(() => {
    process.env = savedEnv;
  });

  describe('probe-cycle handler', () => {
    it('probes the shard, ships metrics with a heartbeat, keeps its memory in the table, pages nobody', async () => {
      const fn = coldStart('probe-cycle', goodEnv());
      const summary = await fn.handler(event('probe'), context());

      expect(summary).toMatchObject({
        cycle: 'probe',
        shard: { index: 0, count: 1 },
        requestId: 'req-0001',
        appliances: 3,
        probes: 3,
        reads: 0,
        findings: 0,
        pagesSent: 0,
        skipped: [],
        problems: [],
      });
      const docs = emfDocs();
      expect(docs.length).toBeGreaterThanOrEqual(1);
      for (const d of docs) expect(d._aws.CloudWatchMetrics[0]!.Namespace).toBe('CPQMonitor');
      expect(heartbeats()).toEqual(['probe']);
      // One appliance record per probe, naming the shard, for the per-appliance drill-down.
      const records = stdoutDocs().filter((d) => d.record === 'appliance');
      expect(records.map((r) => r.appliance).sort()).toEqual(['esa1', 'esa2', 'sma1']);
      expect(records.every((r) => r.shard === '0/1' && r.cycle === 'probe' && r.code === 'ok')).toBe(true);
      expect(summary.records).toBe(3);
      expect(summary.logBytes).toBe(Buffer.byteLength(stdout.join('')));
      expect(fn.sns.commandCalls(fn.cmd.Publish as never)).toHaveLength(0);
      // A probe cycle needs no secret.
      expect(fn.sm.commandCalls(fn.cmd.GetSecretValue as never)).toHaveLength(0);
      expect([...table.keys()]).toEqual(['memory#probe/shard-0-of-1']);
    });

    it('a suspended SMA: one SNS page, MessageStructure json, filterable attributes; the alarm is stored', async () => {
      await world.get('sma1').suspend();
      const fn = coldStart('probe-cycle', goodEnv());
      const summary = await fn.handler(event('probe'), context());

      expect(summary).toMatchObject({ findings: 1, critical: 1, pagesSent: 1, pagesFailed: 0 });
      const published = fn.sns
        .commandCalls(fn.cmd.Publish as never)
        .map((c) => c.args[0].input as PublishCommandInput);
      expect(published).toHaveLength(1);
      const page = published[0]!;
      expect(page).toMatchObject({
        TopicArn: TOPIC,
        MessageStructure: 'json',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'critical' },
          appliance: { DataType: 'String', StringValue: 'sma1' },
          check: { DataType: 'String', StringValue: 'cpq_listener_refused' },
          state: { DataType: 'String', StringValue: 'alarm' },
        },
      });
      expect(page.Subject!.length).toBeLessThan(100);
      const message = JSON.parse(page.Message!) as Record<string, string>;
      expect(Object.keys(message)).toEqual(expect.arrayContaining(['default', 'email', 'sms', 'lambda']));
      expect(message.email).toContain('resume');
      expect(table.get('sma1/cpq_listener_refused')).toMatchObject({ state: 'alarm', outbox: [] });

      // The next invocation (a warm container) does not page again.
      await fn.handler(event('probe'), context());
      expect(fn.sns.commandCalls(fn.cmd.Publish as never)).toHaveLength(1);
    });

    it('a dry run probes for real but pages nobody and writes nothing: no alert, memory or metric', async () => {
      await world.get('sma1').suspend();
      const fn = coldStart('probe-cycle', goodEnv());
      const summary = await fn.handler({ cycle: 'probe', dryRun: true }, context());

      expect(summary).toMatchObject({
        cycle: 'probe',
        dryRun: true,
        appliances: 3,
        findings: 1,
        critical: 1,
        probeCodes: { ok: 2, connect_refused: 1 },
        readCodes: {},
        skipped: [],
      });
      expect(fn.sns.commandCalls(fn.cmd.Publish as never)).toHaveLength(0);
      expect(fn.ddb.commandCalls(fn.cmd.Put as never)).toHaveLength(0);
      // No EMF line (heartbeat included) and no appliance record.
      expect(stdoutDocs()).toEqual([]);
      expect(table.size).toBe(0);
      // A real run afterwards still pages: the dry run left the alert's state untouched.
      await fn.handler(event('probe'), context());
      await fn.handler(event('probe'), context());
      expect(fn.sns.commandCalls(fn.cmd.Publish as never)).toHaveLength(1);
    });

    it('a dry run takes only the named appliances and its own cycle', async () => {
      const fn = coldStart('probe-cycle', goodEnv());
      const summary = await fn.handler({ cycle: 'probe', dryRun: true, appliances: ['esa1'] }, context());
      expect(summary).toMatchObject({ appliances: 1, probeCodes: { ok: 1 } });
      await expect(fn.handler({ cycle: 'ssh', dryRun: true }, context())).rejects.toThrow(
        'the probe function received a "ssh" dry-run event',
      );
      await expect(fn.handler({ cycle: 'probe', dryRun: false }, context())).rejects.toThrow(
        /invalid dry-run event: dryRun/,
      );
    });

    it('takes its deadline from the Lambda context: with too little time left it probes nothing and says so', async () => {
      await world.get('sma1').suspend();
      const fn = coldStart('probe-cycle', goodEnv());
      const summary = await fn.handler(event('probe'), context(3000));
      expect(summary).toMatchObject({ probes: 0, findings: 0, pagesSent: 0 });
      expect((summary.skipped as string[]).sort()).toEqual(['probe esa1', 'probe esa2', 'probe sma1']);
      expect(fn.sns.commandCalls(fn.cmd.Publish as never)).toHaveLength(0);
    });

    it('rejects a malformed event, and an event meant for the other function, with a clear message', async () => {
      const fn = coldStart('probe-cycle', goodEnv());
      await expect(fn.handler({ cycle: 'probe', appliances: ['sma1'] }, context())).rejects.toThrow(
        /^invalid schedule event: shard: /,
      );
      await expect(fn.handler({ ...event('probe'), appliances: [] }, context())).rejects.toThrow(
        /invalid schedule event: appliances: /,
      );
      await expect(fn.handler({ ...event('probe'), extra: 1 }, context())).rejects.toThrow(/extra/);
      // Bounded and shaped like the schedules' events: names are echoed into the summary and logs.
      await expect(
        fn.handler({ ...event('probe'), shard: { index: 3, count: 3 } }, context()),
      ).rejects.toThrow(/shard: expected index below count/);
      await expect(
        fn.handler({ ...event('probe'), appliances: ['sma1', `x\n${'y'.repeat(5000)}`] }, context()),
      ).rejects.toThrow(/appliances\.1: expected an appliance name/);
      await expect(
        fn.handler(
          { ...event('probe'), appliances: Array.from({ length: 10_001 }, (_, i) => `a${i}`) },
          context(),
        ),
      ).rejects.toThrow(/invalid schedule event: appliances: /);
      await expect(fn.handler(event('ssh'), context())).rejects.toThrow(
        'the probe function received a "ssh" event: check the schedule\'s target',
      );
      expect(emfDocs()).toHaveLength(0);
    });
  });

  describe('ssh-cycle handler', () => {
    it('reads every appliance with the secret from Secrets Manager (fetched once) and ships an ssh heartbeat', async () => {
      const fn = coldStart('ssh-cycle', goodEnv());
      const summary = await fn.handler(event('ssh'), context());

      expect(summary).toMatchObject({ cycle: 'ssh', reads: 3, probes: 0, findings: 0, problems: [] });
      expect(fn.sm.commandCalls(fn.cmd.GetSecretValue as never).map((c) => c.args[0].input)).toEqual([
        { SecretId: SECRET_ID },
      ]);
      expect(heartbeats()).toEqual(['ssh']);
      expect(table.has('memory#ssh/shard-0-of-1')).toBe(true);
      // What the reads learned for the probes: each appliance's outbound cipher list.
      const memory = JSON.parse(table.get('memory#ssh/shard-0-of-1')!.memory as string) as {
        outboundCiphers: Record<string, string>;
      };
      expect(Object.keys(memory.outboundCiphers).sort()).toEqual(['esa1', 'esa2', 'sma1']);
    });

    it('a rotated password: the refused login refetches the secret once and the same cycle reads every appliance', async () => {
      // The container's cache holds the old password; Secrets Manager already has the new one.
      const fn = coldStart('ssh-cycle', goodEnv());
      fn.sm
        .on(fn.cmd.GetSecretValue as never)
        .resolvesOnce({ SecretString: JSON.stringify({ password: 'before-rotation-1c9e' }) })
        .resolves({ SecretString: JSON.stringify({ password: PASSWORD }) });
      const summary = await fn.handler(event('ssh'), context());
      expect(summary).toMatchObject({ cycle: 'ssh', reads: 3, findings: 0, problems: [] });
      // Three appliances share the secret: one fetch, one refetch however many were refused.
      expect(fn.sm.commandCalls(fn.cmd.GetSecretValue as never)).toHaveLength(2);
      // The next cycle uses the refreshed cache.
      await fn.handler(event('ssh'), context());
      expect(fn.sm.commandCalls(fn.cmd.GetSecretValue as never)).toHaveLength(2);
      expect(JSON.stringify(fn.sns.commandCalls(fn.cmd.Publish as never))).not.toContain('ssh_auth_failed');
    });

    it('never lets the SSH secret out: not in the summary, the pages, the table or the metrics', async () => {
      // Prepare: a secret the appliances reject, so every message path about SSH is taken.
      const secret = 'wrong-secret-7f3a9c';
      const fn = coldStart('ssh-cycle', goodEnv());
      fn.sm
        .on(fn.cmd.GetSecretValue as never)
        .resolves({ SecretString: JSON.stringify({ password: secret }) });
      // Act: two cycles, so the authentication failures page.
      const summaries = [
        await fn.handler(event('ssh'), context()),
        await fn.handler(event('ssh'), context()),
      ];
      // Assess
      const published = fn.sns.commandCalls(fn.cmd.Publish as never).map((c) => c.args[0].input);
      expect(published.length).toBeGreaterThan(0);
      expect(JSON.stringify(published)).toContain('ssh_auth_failed');
      const everything = JSON.stringify({
        summaries,
        published,
        table: [...table.values()],
        stdout,
        puts: fn.ddb.commandCalls(fn.cmd.Put as never).map((c) => c.args[0].input),
      });
      expect(everything).not.toContain(secret);
    });

    it('a queue backing up on an ESA pages through SNS', async () => {
      world.get('esa1').setCpqQueue(5000, true);
      const fn = coldStart('ssh-cycle', goodEnv());
      await fn.handler(event('ssh', ['esa1']), context());
      const checks = fn.sns
        .commandCalls(fn.cmd.Publish as never)
        .map((c) => (c.args[0].input as PublishCommandInput).MessageAttributes?.check?.StringValue);
      expect(checks).toContain('cpq_queue_backlog');
    });
  });
});

describe('cold start with a bad environment', () => {
  // Validation happens before any appliance is contacted: no lab needed, a valid file suffices.
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpq-fn-env-'));
    inventoryFile = join(dir, 'inventory.json');
    writeFileSync(inventoryFile, JSON.stringify(loadInventory(LAB)));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['ALERT_TOPIC_ARN', { ALERT_TOPIC_ARN: 'cpq-alerts' }, /ALERT_TOPIC_ARN: expected an SNS topic ARN/],
    ['ALERT_TABLE_NAME', { ALERT_TABLE_NAME: undefined }, /invalid Lambda environment: ALERT_TABLE_NAME: /],
    [
      'INVENTORY_FILE',
      { INVENTORY_FILE: '/nonexistent/inventory.json' },
      /cannot read INVENTORY_FILE \/nonexistent/,
    ],
  ])('names %s', (_name, over, message) => {
    expect(() => coldStart('probe-cycle', { ...goodEnv(), ...over })).toThrow(message);
    expect(() => coldStart('ssh-cycle', { ...goodEnv(), ...over })).toThrow(message);
  });

  it('names the inventory file and the field that does not validate', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ appliances: [{ name: 'sma1', role: 'smx', host: '127.0.0.1' }] }));
    expect(() => coldStart('probe-cycle', { ...goodEnv(), INVENTORY_FILE: bad })).toThrow(
      new RegExp(`${bad}: invalid inventory:[\\s\\S]*appliances\\[0\\] \\(sma1\\)\\.role`),
    );
  });
});
