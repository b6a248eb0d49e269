/**
 * The deployed stack as `cpq-monitor verify` finds it: the outputs the stack writes for it and
 * the resources it looks up by type. One list shared by the stack (which writes the outputs) and
 * the command (which reads them), so the two cannot drift apart.
 */

/** The stack's name unless `-c stackName=...` (deploy) or `--stack` (verify) says otherwise. */
export const DEFAULT_STACK_NAME = 'CpqMonitor';

/** The two scheduled cycles (metric dimension `Cycle`, schedule input `cycle`), each with its function, log group and heartbeat. */
export type CycleName = 'probe' | 'ssh';
export const CYCLES: readonly CycleName[] = ['probe', 'ssh'];

/** Output keys of the stack. */
export const STACK_OUTPUTS = {
  alertTopicArn: 'AlertTopicArn',
  fallbackTopicArn: 'FallbackTopicArn',
  failureQueueUrl: 'FailureQueueUrl',
  metricsNamespace: 'MetricsNamespace',
  functionName: { probe: 'ProbeCycleFunctionName', ssh: 'SshCycleFunctionName' },
  logGroupName: { probe: 'ProbeCycleLogGroupName', ssh: 'SshCycleLogGroupName' },
  intervalMinutes: { probe: 'ProbeCycleIntervalMinutes', ssh: 'SshCycleIntervalMinutes' },
  relayLogGroupName: 'AlarmRelayLogGroupName',
} as const;

/** Name (after `<stack>-`) of the heartbeat alarm of a cycle: the one `verify --fire-alarm` fires. */
export function heartbeatAlarmName(stackName: string, cycle: CycleName): string {
  return `${stackName}-${cycle}-heartbeat-missing`;
}
