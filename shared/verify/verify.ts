/**
 * `cpq-monitor verify`: checks a deployed stack end to end and returns a checklist, one line per
 * check with what was seen and, when it failed, what to do. Every AWS call goes through the
 * injected clients; time and waiting are injected too (tests pass a fake clock).
 */
import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  type MetricAlarm,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { SUBJECT_MAX } from '../alerts/format';
import type { AlertNotification } from '../alerts/notifier';
import { SnsNotifier, snsPublishInput } from '../alerts/sns-notifier';
import { FLEET_APPLIANCE } from '../alerts/watchdog-alarm';
import { CpqMonitorError, errorMessage, type Status, worstStatus } from '../errors';
import type { VerifyClients } from './clients';
import { heartbeatAlarmName, STACK_OUTPUTS } from './stack';

/** One line of the checklist. */
export interface CheckLine {
  /** What was checked, e.g. `subscriptions (email)`. */
  check: string;
  status: Status;
  /** What was seen. */
  detail: string;
  /** What to do, when the line is not ok. */
  fix?: string;
}

/** What to verify and how. */
export interface VerifyOptions {
  stackName: string;
  /** Publish the test page (default true). */
  testPage?: boolean;
  /** Set the heartbeat alarm to ALARM and back, and check its delivery. */
  fireAlarm?: boolean;
  /** Appliances the dry runs take (default: the function's whole fleet, within its deadline). */
  appliances?: string[];
  /** Default the wall clock. */
  now?: () => Date;
  /** Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** How long `--fire-alarm` waits for each delivery (default 120 s), polling every 10 s. */
  fireTimeoutMs?: number;
}

/** The checklist and its worst status. */
export interface VerifyResult {
  stackName: string;
  lines: CheckLine[];
  status: Status;
}

/** Verify could not even start (stack missing, no credentials): exit 3, not a failed line. */
export class VerifyError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('verify_failed', message, options);
  }
}

type Cycle = 'probe' | 'ssh';
const CYCLES: Cycle[] = ['probe', 'ssh'];

interface StackFacts {
  outputs: Record<string, string>;
  alarms: string[];
}

const ok = (check: string, detail: string): CheckLine => ({ check, status: 'ok', detail });
const bad = (check: string, status: Status, detail: string, fix: string): CheckLine => ({
  check,
  status,
  detail,
  fix,
});

/** Runs every check in turn; a failed call fails its line, never the others. */
export async function verifyStack(clients: VerifyClients, options: VerifyOptions): Promise<VerifyResult> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const stack = await readStack(clients, options.stackName);
  const out = stack.outputs;
  const lines: CheckLine[] = [];
  const guard = async (check: string, fix: string, run: () => Promise<CheckLine[]>) => {
    try {
      lines.push(...(await run()));
    } catch (err) {
      lines.push(bad(check, 'critical', `${callName(err)}: ${errorMessage(err)}`, fix));
    }
  };

  const topicArn = out[STACK_OUTPUTS.alertTopicArn];
  if (topicArn === undefined) {
    lines.push(bad('paging topic', 'critical', 'the stack has no AlertTopicArn output', redeploy));
  } else {
    await guard('paging topic', topicFix, () => topicLines(clients, 'paging topic', topicArn, true));
    if (options.testPage !== false) {
      await guard('test page', topicFix, () => testPage(clients, topicArn, now()));
    }
  }
  const fallbackArn = out[STACK_OUTPUTS.fallbackTopicArn];
  if (fallbackArn === undefined) {
    lines.push(
      bad(
        'fallback topic',
        'warning',
        'none configured: if the paging topic breaks, nobody is told',
        'Set deploy.fallback (an e-mail address or phone independent of the pager) and deploy again (docs/deploy.md, "When the paging topic itself is broken")',
      ),
    );
  } else {
    await guard('fallback topic', topicFix, () => topicLines(clients, 'fallback topic', fallbackArn, false));
  }

  await guard('watchdog alarms', 'Check that your credentials may call cloudwatch:DescribeAlarms', () =>
    alarmLines(clients, stack.alarms),
  );
  if (options.fireAlarm === true) {
    await guard('fire heartbeat alarm', fireFix, () =>
      fireAlarm(clients, options, stack, now, sleep, options.fireTimeoutMs ?? 120_000),
    );
  }
  for (const cycle of CYCLES) {
    const fn = out[STACK_OUTPUTS.functionName[cycle]];
    if (fn === undefined) continue;
    await guard(`dry run (${cycle})`, dryRunFix(cycle), () => dryRun(clients, cycle, fn, options.appliances));
  }
  const queueUrl = out[STACK_OUTPUTS.failureQueueUrl];
  if (queueUrl !== undefined) {
    await guard('failure queue', 'Check that your credentials may call sqs:GetQueueAttributes', () =>
      failureQueue(clients, queueUrl),
    );
  }
  for (const cycle of CYCLES) {
    if (out[STACK_OUTPUTS.functionName[cycle]] === undefined) continue;
    await guard(`heartbeat (${cycle})`, heartbeatFix, () => heartbeat(clients, out, cycle, now()));
  }
  return { stackName: options.stackName, lines, status: worstStatus(lines.map((l) => l.status)) };
}

const redeploy = 'Deploy the stack again with this version (npm run deploy)';
const topicFix =
  "Check the topic exists (AlertTopicArn output), its KMS key is enabled and its key policy unchanged, and the topic policy (docs/deploy.md, 'Who may publish to the topics')";
const fireFix =
  'Check the alarm relay (its log group, docs/deploy.md "Watchdog: alarm relay failed") and the fallback topic';
const heartbeatFix =
  'Follow docs/deploy.md "Watchdog: heartbeat missing": schedules enabled, the function log, the failure queue';
const dryRunFix = (cycle: Cycle) =>
  `Read the ${cycle} function's log group for the error; a failing cold start names the bad variable or inventory field`;

function callName(err: unknown): string {
  return (err as { name?: string }).name ?? 'Error';
}

async function readStack(clients: VerifyClients, stackName: string): Promise<StackFacts> {
  let described: DescribeStacksCommandOutput;
  try {
    described = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (err) {
    throw new VerifyError(
      `cannot read stack ${stackName}: ${callName(err)}: ${errorMessage(err)} (right region and credentials? --region, AWS_PROFILE)`,
      { cause: err },
    );
  }
  const s = described.Stacks?.[0];
  if (s === undefined) throw new VerifyError(`stack ${stackName} not found`);
  // UPDATE_ROLLBACK_COMPLETE: an update failed and the previous version runs: still worth verifying.
  if (!/^(CREATE|UPDATE|IMPORT)_COMPLETE$|^UPDATE_ROLLBACK_COMPLETE$/.test(s.StackStatus ?? '')) {
    throw new VerifyError(`stack ${stackName} is ${s.StackStatus}: deploy it (again) before verifying`);
  }
  const outputs: Record<string, string> = {};
  for (const o of s.Outputs ?? []) if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
  const resources = await clients.cloudformation.send(
    new DescribeStackResourcesCommand({ StackName: stackName }),
  );
  const alarms = (resources.StackResources ?? [])
    .filter((r) => r.ResourceType === 'AWS::CloudWatch::Alarm' && r.PhysicalResourceId)
    .map((r) => r.PhysicalResourceId!)
    .sort();
  return { outputs, alarms };
}

/** The topic exists, is encrypted, and has confirmed subscriptions: one line per protocol. */
async function topicLines(
  clients: VerifyClients,
  what: string,
  topicArn: string,
  pager: boolean,
): Promise<CheckLine[]> {
  const attrs = await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
  const lines: CheckLine[] = [];
  const key = attrs.Attributes?.KmsMasterKeyId;
  lines.push(ok(what, `${topicArn} exists${key ? ', KMS-encrypted' : ''}`));
  const byProtocol = new Map<string, { confirmed: number; pending: number }>();
  let token: string | undefined;
  do {
    const page = await clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(token ? { NextToken: token } : {}) }),
    );
    for (const s of page.Subscriptions ?? []) {
      const p = s.Protocol ?? '?';
      const entry = byProtocol.get(p) ?? { confirmed: 0, pending: 0 };
      if (s.SubscriptionArn === 'PendingConfirmation') entry.pending += 1;
      else if (s.SubscriptionArn?.startsWith('arn:')) entry.confirmed += 1;
      byProtocol.set(p, entry);
    }
    token = page.NextToken;
  } while (token);
  const confirmed = [...byProtocol.values()].reduce((n, e) => n + e.confirmed, 0);
  if (confirmed === 0) {
    lines.push(
      bad(
        `${what} subscriptions`,
        'critical',
        byProtocol.size === 0 ? 'none: nobody receives anything' : 'none confirmed: nobody receives anything',
        pager
          ? 'Add deploy.subscriptions (or subscribe a pager, docs/deploy.md "Subscribe a pager") and confirm each e-mail subscription from the mail SNS sent'
          : 'Confirm the subscription from the mail SNS sent to the deploy.fallback address',
      ),
    );
  }
  for (const [protocol, e] of [...byProtocol].sort()) {
    const detail = `${e.confirmed} confirmed, ${e.pending} pending confirmation`;
    lines.push(
      e.pending > 0
        ? bad(
            `${what} subscriptions (${protocol})`,
            'warning',
            detail,
            protocol === 'email'
              ? 'Each pending address must click the link in the confirmation mail from SNS (resend: delete and deploy again)'
              : 'The endpoint must confirm the subscription (PagerDuty and Opsgenie do it themselves; check the integration URL)',
          )
        : ok(`${what} subscriptions (${protocol})`, detail),
    );
  }
  return lines;
}

/** The test page: a critical page, published exactly as a real one, marked TEST in subject and body. */
export function testPageNotification(at: Date): AlertNotification {
  const iso = at.toISOString();
  return {
    notificationId: `${FLEET_APPLIANCE}/verify_test_page#${iso}`,
    kind: 'page',
    alertId: `${FLEET_APPLIANCE}/verify_test_page`,
    appliance: FLEET_APPLIANCE,
    check: 'verify_test_page',
    severity: 'critical',
    state: 'alarm',
    summary: 'TEST page from cpq-monitor verify: nothing is broken, no action needed',
    evidence: [
      'sent by `cpq-monitor verify` to prove the path to the pager; subscriptions filtered on severity critical receive it',
    ],
    remediation: ['Nothing to fix. Close it in the pager if it opened an incident.'],
    runbookUrl: 'docs/deploy.md#verify-the-deployment',
    since: iso,
    at: iso,
  };
}

/** The PublishCommand input of the test page: the real page's, with `TEST` in front of the subject. */
export function testPagePublishInput(topicArn: string, at: Date) {
  const n = testPageNotification(at);
  const input = snsPublishInput(topicArn, n);
  return { ...input, Subject: testSubject(input.Subject ?? '') };
}

async function testPage(clients: VerifyClients, topicArn: string, at: Date): Promise<CheckLine[]> {
  // The real notifier (its message, attributes and error handling); the client in between only
  // puts TEST in front of the subject, as testPagePublishInput does.
  const marking = {
    send: (cmd: PublishCommand) =>
      clients.sns.send(new PublishCommand({ ...cmd.input, Subject: testSubject(cmd.input.Subject ?? '') })),
  } as unknown as SNSClient;
  const result = await new SnsNotifier(marking, { topicArn }).notify(testPageNotification(at));
  if (!result.ok) {
    return [bad('test page', 'critical', `${result.code}: ${result.message}`, publishFix(result.code))];
  }
  return [
    ok(
      'test page',
      `published (message ${result.messageId ?? '?'}), severity critical: every pager subscription should show "TEST CRITICAL ALARM fleet verify_test_page"`,
    ),
  ];
}

/** `TEST ` in front of a subject, still under SNS's 100 characters. */
function testSubject(subject: string): string {
  return `TEST ${subject}`.slice(0, SUBJECT_MAX);
}

/** What to do about a failed publish, by the SNS/KMS error name. */
export function publishFix(code: string): string {
  if (/^KMS/.test(code) || /KMS/i.test(code)) {
    return 'The topic key is disabled, pending deletion or its policy changed: enable it (kms enable-key) or deploy again';
  }
  if (code === 'AuthorizationError' || code === 'AuthorizationErrorException') {
    return "Your credentials may not publish (sns:Publish on the topic and kms:GenerateDataKey on its key), or the topic policy was changed: deploy again (docs/deploy.md, 'Who may publish to the topics')";
  }
  if (code === 'NotFound' || code === 'NotFoundException') return `The topic is gone: ${redeploy}`;
  return topicFix;
}

/** Each watchdog alarm: not in ALARM, and its last action (if it has direct ones) succeeded. */
async function alarmLines(clients: VerifyClients, names: string[]): Promise<CheckLine[]> {
  if (names.length === 0) {
    return [bad('watchdog alarms', 'critical', 'the stack has no alarms', redeploy)];
  }
  const alarms: MetricAlarm[] = [];
  for (let i = 0; i < names.length; i += 100) {
    const res = await clients.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }),
    );
    alarms.push(...(res.MetricAlarms ?? []));
  }
  const lines: CheckLine[] = [];
  for (const name of names) {
    const check = `alarm ${name}`;
    const a = alarms.find((x) => x.AlarmName === name);
    if (a === undefined) {
      lines.push(bad(check, 'critical', 'missing in CloudWatch', redeploy));
      continue;
    }
    const history = await clients.cloudwatch.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: name,
        HistoryItemType: 'Action',
        ScanBy: 'TimestampDescending',
        MaxRecords: 1,
      }),
    );
    const last = history.AlarmHistoryItems?.[0];
    const lastText = last === undefined ? 'no direct action yet' : `last action: ${last.HistorySummary}`;
    if (last !== undefined && /^Failed/i.test(last.HistorySummary ?? '')) {
      lines.push(
        bad(
          check,
          'critical',
          lastText,
          "CloudWatch could not notify the topic: check the topic and key policies allow this account's alarms (docs/deploy.md, 'Who may publish to the topics') and that the key is enabled",
        ),
      );
    } else if (a.StateValue === 'ALARM') {
      const anchor = /#(watchdog-[a-z-]+)/.exec(a.AlarmDescription ?? '')?.[1];
      lines.push(
        bad(
          check,
          'critical',
          `in ALARM: ${a.StateReason ?? ''} (${lastText})`,
          `Follow docs/deploy.md${anchor ? `#${anchor}` : ', "When a watchdog alarm fires"'}`,
        ),
      );
    } else {
      lines.push(ok(check, `${a.StateValue}, ${lastText}`));
    }
  }
  return lines;
}

/** Polls until `found` returns true or the time is up. */
async function waitFor(
  found: () => Promise<boolean>,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<boolean> {
  for (let waited = 0; ; waited += POLL_MS) {
    if (await found()) return true;
    if (waited >= timeoutMs) return false;
    await sleep(POLL_MS);
  }
}
const POLL_MS = 10_000;

/**
 * Sets the heartbeat alarm to ALARM and back to OK (CloudWatch re-evaluates it within its period
 * either way) and checks each change was relayed to the paging topic (the relay's log) and, when
 * the alarm has direct actions (the fallback topic), that CloudWatch executed them.
 */
async function fireAlarm(
  clients: VerifyClients,
  options: VerifyOptions,
  stack: StackFacts,
  now: () => Date,
  sleep: (ms: number) => Promise<void>,
  timeoutMs: number,
): Promise<CheckLine[]> {
  const cycle = CYCLES.find((c) => stack.alarms.includes(heartbeatAlarmName(options.stackName, c)));
  if (cycle === undefined)
    return [bad('fire heartbeat alarm', 'critical', 'no heartbeat alarm in the stack', redeploy)];
  const name = heartbeatAlarmName(options.stackName, cycle);
  const check = `fire ${name}`;
  const described = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  const alarm = described.MetricAlarms?.[0];
  if (alarm?.StateValue === 'ALARM') {
    return [
      bad(check, 'warning', 'already in ALARM: not fired (there is no change to deliver)', heartbeatFix),
    ];
  }
  const direct = (alarm?.AlarmActions ?? []).length > 0;
  const relayLog = stack.outputs[STACK_OUTPUTS.relayLogGroupName];
  const lines: CheckLine[] = [];
  for (const state of ['ALARM', 'OK'] as const) {
    const since = now().getTime();
    await clients.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: name,
        StateValue: state,
        StateReason: `cpq-monitor verify --fire-alarm: testing delivery (${state === 'ALARM' ? 'not a real outage' : 'back to normal'})`,
      }),
    );
    let relayed = relayLog === undefined;
    let relayFailed = false;
    let action: string | undefined;
    const delivered = await waitFor(
      async () => {
        if (!relayed && relayLog !== undefined) {
          const events = await clients.logs.send(
            new FilterLogEventsCommand({
              logGroupName: relayLog,
              startTime: since,
              filterPattern: `{ $.alarm = "${name}" && $.alarmState = "${state}" }`,
            }),
          );
          for (const e of events.events ?? []) {
            const msg = parseJson(e.message)?.msg;
            if (msg === 'alarm relayed') relayed = true;
            // Lambda retries a failed relay: keep waiting, a later attempt may succeed.
            if (msg === 'alarm not relayed') relayFailed = true;
          }
        }
        if (direct && action === undefined) {
          const h = await clients.cloudwatch.send(
            new DescribeAlarmHistoryCommand({
              AlarmName: name,
              HistoryItemType: 'Action',
              StartDate: new Date(since),
              ScanBy: 'TimestampDescending',
            }),
          );
          const item = h.AlarmHistoryItems?.[0];
          if (item !== undefined) action = item.HistorySummary ?? '';
        }
        return relayed && (!direct || action !== undefined);
      },
      timeoutMs,
      sleep,
    );
    const what = state === 'ALARM' ? 'page' : 'recovery';
    const actionFailed = action !== undefined && /^Failed/i.test(action);
    if (!delivered || actionFailed) {
      lines.push(
        bad(
          `${check} (${what})`,
          'critical',
          [
            relayed
              ? 'relayed to the paging topic'
              : relayFailed
                ? `the relay failed to publish it ("alarm not relayed" in ${relayLog})`
                : `not relayed within ${Math.round(timeoutMs / 1000)} s`,
            direct
              ? action === undefined
                ? 'no direct action seen'
                : `direct action: ${action}`
              : undefined,
          ]
            .filter((x) => x !== undefined)
            .join('; '),
          fireFix,
        ),
      );
    } else {
      lines.push(
        ok(
          `${check} (${what})`,
          [
            relayLog === undefined ? undefined : 'relayed to the paging topic with attributes',
            direct ? `direct action: ${action}` : undefined,
          ]
            .filter((x) => x !== undefined)
            .join('; '),
        ),
      );
    }
  }
  return lines;
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Invokes a cycle function with a dry-run event and summarizes what its probes and reads saw. */
async function dryRun(
  clients: VerifyClients,
  cycle: Cycle,
  functionName: string,
  appliances: string[] | undefined,
): Promise<CheckLine[]> {
  const check = `dry run (${cycle})`;
  const payload = { cycle, dryRun: true, ...(appliances === undefined ? {} : { appliances }) };
  const res = await clients.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const body = parseJson(res.Payload === undefined ? undefined : new TextDecoder().decode(res.Payload));
  if (res.FunctionError !== undefined) {
    return [
      bad(
        check,
        'critical',
        `${res.FunctionError} error: ${String(body?.errorType ?? '')} ${String(body?.errorMessage ?? '')}`.trim(),
        dryRunFix(cycle),
      ),
    ];
  }
  if (body === undefined || body.dryRun !== true) {
    return [bad(check, 'critical', 'the function answered without a dry-run summary', redeploy)];
  }
  const codes = (o: unknown) =>
    Object.entries((o ?? {}) as Record<string, number>)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ') || 'none';
  const detail = [
    `${body.appliances} appliances`,
    cycle === 'probe' ? `probes: ${codes(body.probeCodes)}` : `SSH reads: ${codes(body.readCodes)}`,
    `findings ${body.findings} (${body.critical} critical)`,
    `would notify ${body.wouldNotify}`,
    `${body.durationMs} ms`,
  ].join('; ');
  const skipped = (body.skipped as string[] | undefined) ?? [];
  const problems = (body.problems as string[] | undefined) ?? [];
  if (skipped.length > 0 || problems.length > 0) {
    return [
      bad(
        check,
        'warning',
        `${detail}; skipped ${skipped.length}${problems.length > 0 ? `; problems: ${problems.join(' | ')}` : ''}`,
        skipped.length > 0
          ? 'The dry run ran out of time: pass fewer appliances with --appliances, or see docs/deploy.md "Watchdog: duration near timeout"'
          : dryRunFix(cycle),
      ),
    ];
  }
  return [ok(check, detail)];
}

async function failureQueue(clients: VerifyClients, queueUrl: string): Promise<CheckLine[]> {
  const res = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const n = Object.values(res.Attributes ?? {}).reduce((sum, v) => sum + Number(v ?? 0), 0);
  if (n === 0) return [ok('failure queue', 'empty')];
  return [
    bad(
      'failure queue',
      'critical',
      `${n} message(s): failed cycle invocations or watchdog alarms the relay could not publish`,
      'Read one (aws sqs receive-message --queue-url ...), fix the cause, then purge the queue (docs/deploy.md, "Watchdog: failed invocations")',
    ),
  ];
}

/**
 * The heartbeat of a cycle: the metric has data over the alarm's window, and every shard logged a
 * finished cycle (`cycle done` with nothing skipped) within it.
 */
async function heartbeat(
  clients: VerifyClients,
  out: Record<string, string>,
  cycle: Cycle,
  at: Date,
): Promise<CheckLine[]> {
  const interval = Number(out[STACK_OUTPUTS.intervalMinutes[cycle]] ?? (cycle === 'probe' ? 1 : 5));
  const windowMin = 3 * interval;
  const start = new Date(at.getTime() - windowMin * 60_000);
  const lines: CheckLine[] = [];
  const namespace = out[STACK_OUTPUTS.metricsNamespace] ?? 'CPQMonitor';
  const stats = await clients.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: 'MonitorHeartbeat',
      Dimensions: [{ Name: 'Cycle', Value: cycle }],
      StartTime: start,
      EndTime: at,
      Period: windowMin * 60,
      Statistics: ['SampleCount'],
    }),
  );
  const samples = (stats.Datapoints ?? []).reduce((n, d) => n + (d.SampleCount ?? 0), 0);
  lines.push(
    samples > 0
      ? ok(`heartbeat metric (${cycle})`, `${samples} MonitorHeartbeat in the last ${windowMin} min`)
      : bad(
          `heartbeat metric (${cycle})`,
          'critical',
          `no MonitorHeartbeat in ${namespace} in the last ${windowMin} min`,
          heartbeatFix,
        ),
  );

  const logGroup = out[STACK_OUTPUTS.logGroupName[cycle]];
  if (logGroup === undefined) return lines;
  const seen = new Set<number>();
  let shards = 0;
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: logGroup,
        startTime: start.getTime(),
        endTime: at.getTime(),
        filterPattern: '{ $.msg = "cycle done" }',
        ...(token ? { nextToken: token } : {}),
      }),
    );
    for (const e of res.events ?? []) {
      const rec = parseJson(e.message) as
        | { shard?: { index?: number; count?: number }; skipped?: unknown[] }
        | undefined;
      if (rec?.shard?.index === undefined) continue;
      shards = Math.max(shards, rec.shard.count ?? 0);
      if ((rec.skipped ?? []).length === 0) seen.add(rec.shard.index);
    }
    token = res.nextToken;
    pages += 1;
  } while (token && pages < 50);
  if (shards === 0) {
    lines.push(
      bad(
        `shards (${cycle})`,
        'critical',
        `no "cycle done" record in ${logGroup} in the last ${windowMin} min`,
        heartbeatFix,
      ),
    );
    return lines;
  }
  const silent = Array.from({ length: shards }, (_, i) => i).filter((i) => !seen.has(i));
  lines.push(
    silent.length === 0
      ? ok(`shards (${cycle})`, `all ${shards} shard(s) finished a cycle in the last ${windowMin} min`)
      : bad(
          `shards (${cycle})`,
          'critical',
          `shard(s) ${silent.join(', ')} of ${shards} finished no cycle in the last ${windowMin} min`,
          `${heartbeatFix}; the schedules are named per shard`,
        ),
  );
  return lines;
}
