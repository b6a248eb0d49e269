/**
 * What every check of `cpq-monitor verify` shares: the line it adds to the checklist, the context
 * it runs in (injected clients, the stack as read, the clock) and the fixes several checks name.
 */
import type { Status } from '../errors';
import type { VerifyClients } from './clients';

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

/** A passing line. */
export function ok(check: string, detail: string): CheckLine {
  return { check, status: 'ok', detail };
}

/** A failing line with what to do about it. */
export function bad(check: string, status: Status, detail: string, fix: string): CheckLine {
  return { check, status, detail, fix };
}

/** The deployed stack as verify read it. */
export interface StackFacts {
  /** The stack's outputs by key (STACK_OUTPUTS). */
  outputs: Record<string, string>;
  /** Names of the stack's CloudWatch alarms, sorted. */
  alarms: string[];
}

/** Everything a check may use; AWS only through `clients`, time only through `now` and `sleep`. */
export interface VerifyContext {
  clients: VerifyClients;
  stackName: string;
  stack: StackFacts;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Publish the test page. */
  testPage: boolean;
  /** Fire the heartbeat alarm and wait for its deliveries, each at most `fireTimeoutMs`. */
  fireAlarm: boolean;
  fireTimeoutMs: number;
  /** Appliances the dry runs take (absent: the function's whole fleet). */
  appliances: string[] | undefined;
}

/** One step of a check: its lines, or, when its calls throw, one failed line named `check` with `fix`. */
export interface VerifyStep {
  check: string;
  fix: string;
  run: () => Promise<CheckLine[]>;
}

/** A check: the steps it takes on this stack (none when it does not apply). */
export type VerifyCheck = (ctx: VerifyContext) => VerifyStep[];

export const REDEPLOY_FIX = 'Deploy the stack again with this version (npm run deploy)';
export const TOPIC_FIX =
  "Check the topic exists (AlertTopicArn output), its KMS key is enabled and its key policy unchanged, and the topic policy (docs/deploy.md, 'Who may publish to the topics')";
export const HEARTBEAT_FIX =
  'Follow docs/deploy.md "Watchdog: heartbeat missing": schedules enabled, the function log, the failure queue';

/** A JSON object from a log line or a function's answer; undefined when it is not JSON. */
export function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
