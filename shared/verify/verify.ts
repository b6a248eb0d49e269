/**
 * `cpq-monitor verify`: checks a deployed stack end to end and returns a checklist, one line per
 * check with what was seen and, when it failed, what to do. Every AWS call goes through the
 * injected clients; time and waiting are injected too (tests pass a fake clock). Each check is one
 * file in `checks/`; VERIFY_CHECKS is their order on the checklist.
 */
import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { CpqMonitorError, errorMessage, type Status, worstStatus } from '../errors';
import {
  bad,
  type CheckLine,
  type StackFacts,
  type VerifyCheck,
  type VerifyContext,
  type VerifyStep,
} from './check';
import { watchdogAlarmsCheck } from './checks/alarms';
import { dryRunCheck } from './checks/dry-run';
import { failureQueueCheck } from './checks/failure-queue';
import { fireAlarmCheck } from './checks/fire-alarm';
import { heartbeatCheck } from './checks/heartbeat';
import { testPageCheck } from './checks/test-page';
import { fallbackTopicCheck, pagingTopicCheck } from './checks/topics';
import type { VerifyClients } from './clients';

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

/** The checks in checklist order. */
const VERIFY_CHECKS: readonly VerifyCheck[] = [
  pagingTopicCheck,
  testPageCheck,
  fallbackTopicCheck,
  watchdogAlarmsCheck,
  fireAlarmCheck,
  dryRunCheck,
  failureQueueCheck,
  heartbeatCheck,
];

/** Runs every check in turn; a failed call fails its line, never the others. */
export async function verifyStack(clients: VerifyClients, options: VerifyOptions): Promise<VerifyResult> {
  const stack = await readStack(clients, options.stackName);
  const ctx: VerifyContext = {
    clients,
    stackName: options.stackName,
    stack,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    testPage: options.testPage !== false,
    fireAlarm: options.fireAlarm === true,
    fireTimeoutMs: options.fireTimeoutMs ?? 120_000,
    appliances: options.appliances,
  };
  const lines: CheckLine[] = [];
  for (const check of VERIFY_CHECKS) {
    for (const step of check(ctx)) lines.push(...(await runStep(step)));
  }
  return { stackName: options.stackName, lines, status: worstStatus(lines.map((l) => l.status)) };
}

/** A step's lines, or one failed line naming the AWS call that threw. */
async function runStep(step: VerifyStep): Promise<CheckLine[]> {
  try {
    return await step.run();
  } catch (err) {
    return [bad(step.check, 'critical', `${callName(err)}: ${errorMessage(err)}`, step.fix)];
  }
}

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
