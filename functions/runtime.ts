/**
 * What both cycle Lambdas share: configuration from the environment (validated once, at cold
 * start), AWS clients created once per container, and the one service call a handler makes.
 *
 * The handlers wrap that call in middy with no middleware, on purpose. The event is validated
 * here, with the zod schema below (middy's validator would be a second, JSON-schema copy of it).
 * Errors must reach Lambda, so a failed event goes to the dead-letter queue: an error-handling
 * middleware would turn them into a response. The logs are pino lines and the summary carries the
 * request id, so no logger or metrics context middleware is needed (the metrics go out as
 * Embedded Metric Format lines on stdout). middy core still does one thing: it ends an invocation that runs past its
 * time with a named TimeoutError just before Lambda's own timeout. A middleware that earns its
 * place goes on that wrapper.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { SnsNotifier } from '../shared/alerts/sns-notifier';
import { type AwsClientOverrides, awsClientConfig } from '../shared/aws/client-config';
import { credentialResolver } from '../shared/cycle/credentials';
import { type CycleDeps, type CycleReport, runCycle } from '../shared/cycle/run';
import { ConfigError, errorMessage } from '../shared/errors';
import { parseInventoryJson } from '../shared/inventory/load';
import { APPLIANCE_NAME, type Inventory } from '../shared/inventory/schema';
import { createLogger } from '../shared/log';
import { EmfSink } from '../shared/metrics/emf-sink';
import { DynamoDbAlertStore } from '../shared/state/alerts/dynamodb';
import { createAlertDocumentClient } from '../shared/state/dynamodb';
import { DynamoDbMemoryStore } from '../shared/state/memory/dynamodb';
import { DynamoDbOperatorStore } from '../shared/state/operators/dynamodb';
import { dryRunDeps, dryRunResults } from './dry-run';

const envSchema = z.object({
  INVENTORY_FILE: z.string().min(1),
  ALERT_TABLE_NAME: z.string().min(1),
  ALERT_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'expected an SNS topic ARN'),
});

/** The function's configuration, or a ConfigError naming every bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): z.infer<typeof envSchema> & { inventory: Inventory } {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid Lambda environment: ${problems.join('; ')}`);
  }
  let text: string;
  try {
    text = readFileSync(parsed.data.INVENTORY_FILE, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read INVENTORY_FILE ${parsed.data.INVENTORY_FILE}: ${errorMessage(err)}`);
  }
  // The bundled inventory.json is written by the stack (JSON.stringify): JSON.parse, not YAML, at cold start.
  return { ...parsed.data, inventory: parseInventoryJson(text, parsed.data.INVENTORY_FILE) };
}

/** The event a schedule sends: which cycle, which shard, which appliances. */
// Bounded: anyone allowed to invoke the function could send the event, and its names are echoed
// into the summary and the logs. The bounds sit far above what the stack's schedules send.
const MAX_EVENT_APPLIANCES = 10_000;
export const cycleEventSchema = z.strictObject({
  cycle: z.enum(['probe', 'ssh']),
  shard: z
    .strictObject({
      index: z.number().int().min(0),
      count: z.number().int().min(1).max(MAX_EVENT_APPLIANCES),
    })
    .refine((s) => s.index < s.count, { message: 'expected index below count' }),
  appliances: z
    .array(z.string().regex(APPLIANCE_NAME, 'expected an appliance name'))
    .min(1)
    .max(MAX_EVENT_APPLIANCES),
});
export type CycleEvent = z.infer<typeof cycleEventSchema>;

/**
 * `cpq-monitor verify`'s event: the cycle over the named appliances (default: every enabled one,
 * within the function's deadline) with nothing paged, stored or written (functions/dry-run.ts).
 */
export const dryRunEventSchema = z.strictObject({
  cycle: z.enum(['probe', 'ssh']),
  dryRun: z.literal(true),
  appliances: z
    .array(z.string().regex(APPLIANCE_NAME, 'expected an appliance name'))
    .min(1)
    .max(MAX_EVENT_APPLIANCES)
    .optional(),
});

/** The AWS clients of one container (tests replace them through aws-sdk-client-mock). */
export interface AwsClients {
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  secretsManager: SecretsManagerClient;
}

/**
 * Clients with connection and request timeouts and the SDK's bounded retries (the one place they
 * are configured: shared/aws/client-config.ts); region and credentials from the Lambda environment.
 * `overrides` points them elsewhere (tests: a loopback endpoint).
 */
export function createAwsClients(overrides: AwsClientOverrides = {}): AwsClients {
  return {
    dynamodb: new DynamoDBClient(awsClientConfig(overrides)),
    sns: new SNSClient(awsClientConfig(overrides)),
    secretsManager: new SecretsManagerClient(awsClientConfig(overrides)),
  };
}

/**
 * Builds the cycle's dependencies once per container (the secret cache lives as long as it). Each
 * handler gives its own probers, so a function's bundle holds only the probers it runs.
 */
export function awsCycleDeps(
  config: ReturnType<typeof configFromEnv>,
  clients: AwsClients,
  probers: CycleDeps['probers'],
): CycleDeps {
  const doc = createAlertDocumentClient(clients.dynamodb);
  return {
    probers,
    store: new DynamoDbAlertStore(doc, { tableName: config.ALERT_TABLE_NAME }),
    memory: new DynamoDbMemoryStore(doc, config.ALERT_TABLE_NAME),
    operators: new DynamoDbOperatorStore(doc, config.ALERT_TABLE_NAME),
    notifier: new SnsNotifier(clients.sns, { topicArn: config.ALERT_TOPIC_ARN }),
    // EMF on stdout: Lambda ships it to the function's log group and CloudWatch extracts the
    // metrics there, so the functions make no CloudWatch API call (docs/metrics.md).
    sink: new EmfSink(process.stdout, { namespace: config.inventory.monitor.namespace }),
    credentials: credentialResolver({
      secretsManager: clients.secretsManager,
      secretTtlMs: config.inventory.monitor.secretCacheMinutes * 60_000,
    }),
    logger: createLogger('cpq-monitor'),
  };
}

/** Time kept back from the Lambda's remaining time, so the function returns before it is killed. */
const SAFETY_MS = 2000;

/**
 * Runs the cycle the event names for its shard and returns a summary for the logs. A malformed
 * event or a cycle name that does not match this function is an error (it goes to the DLQ).
 */
export async function handleCycle(
  expected: 'probe' | 'ssh',
  rawEvent: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  config: ReturnType<typeof configFromEnv>,
  deps: CycleDeps,
) {
  const isDryRun = (rawEvent as { dryRun?: unknown } | null)?.dryRun !== undefined;
  if (isDryRun) return handleDryRun(expected, rawEvent, context, config, deps);
  const parsed = cycleEventSchema.safeParse(rawEvent);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid schedule event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`,
    );
  }
  const event = parsed.data;
  if (event.cycle !== expected) {
    throw new ConfigError(
      `the ${expected} function received a "${event.cycle}" event: check the schedule's target`,
    );
  }
  const report = await runCycle(
    {
      inventory: config.inventory,
      kind: event.cycle,
      appliances: event.appliances,
      memoryKey: `shard-${event.shard.index}-of-${event.shard.count}`,
      shard: event.shard,
      deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
    },
    deps,
  );
  const summary = {
    cycle: report.kind,
    shard: event.shard,
    requestId: context.awsRequestId,
    ...workDone(report),
    pagesSent: report.alerts.sent,
    pagesFailed: report.alerts.failed,
    metrics: report.metrics.report.data,
    records: report.metrics.report.records,
    logBytes: report.metrics.report.emfBytes + report.metrics.report.recordBytes,
    skipped: report.skipped,
    problems: report.problems,
    durationMs: report.durationMs,
  };
  deps.logger?.info(summary, 'cycle done');
  return summary;
}

/** What a cycle did, as both the run and the dry-run summaries count it. */
function workDone(report: CycleReport) {
  return {
    appliances: report.appliances.length,
    probes: report.listener.length,
    reads: report.config.length,
    findings: report.findings.length,
    critical: report.findings.filter((f) => f.severity === 'critical').length,
  };
}

/** A dry run (see dryRunEventSchema): the same cycle, its results summarized, nothing written or sent. */
async function handleDryRun(
  expected: 'probe' | 'ssh',
  rawEvent: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  config: ReturnType<typeof configFromEnv>,
  deps: CycleDeps,
) {
  const parsed = dryRunEventSchema.safeParse(rawEvent);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid dry-run event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`,
    );
  }
  if (parsed.data.cycle !== expected) {
    throw new ConfigError(`the ${expected} function received a "${parsed.data.cycle}" dry-run event`);
  }
  const dry = dryRunDeps(deps);
  const report = await runCycle(
    {
      inventory: config.inventory,
      kind: expected,
      ...(parsed.data.appliances === undefined ? {} : { appliances: parsed.data.appliances }),
      memoryKey: 'dry-run',
      deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
    },
    dry,
  );
  const summary = {
    cycle: report.kind,
    dryRun: true as const,
    requestId: context.awsRequestId,
    ...workDone(report),
    ...dryRunResults(report, dry.wouldNotify),
    skipped: report.skipped,
    problems: report.problems,
    durationMs: report.durationMs,
  };
  // Not "cycle done": a dry run is no heartbeat and must not look like one in the logs.
  deps.logger?.info(summary, 'dry run done');
  return summary;
}
