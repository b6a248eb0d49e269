/**
 * Where `silence`, `ack` and `alerts` act: the local state file (the one `check` uses: beside
 * `--inventory`, or `--state`; cli/local-state.ts) or the deployed stack's alert table (`--table NAME`, or `--stack NAME` to read its AlertTableName
 * output), and who is acting: the caller's AWS identity from STS in AWS (it cannot be typed in),
 * `--author` or the OS user locally.
 */
import { userInfo } from 'node:os';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { STSClient } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { awsClientConfig } from '../shared/aws/client-config';
import { ConfigError, errorMessage } from '../shared/errors';
import { DynamoDbAlertStore } from '../shared/state/alerts/dynamodb';
import { FileAlertStore } from '../shared/state/alerts/file';
import type { AlertStore } from '../shared/state/alerts/store';
import { createAlertDocumentClient } from '../shared/state/dynamodb';
import { DynamoDbOperatorStore } from '../shared/state/operators/dynamodb';
import { FileOperatorStore } from '../shared/state/operators/file';
import type { OperatorStore } from '../shared/state/operators/store';
import { localStateFiles, stateFileLabel } from './local-state';

/** The stack output naming the alert table (infra/stacks/cpq-monitor-stack.ts). */
export const TABLE_OUTPUT = 'AlertTableName';

/** The target options every operator command takes. */
export interface TargetFlags {
  inventory?: string;
  state?: string;
  table?: string;
  stack?: string;
  region?: string;
  author?: string;
}

/**
 * Adds `--inventory`, `--state`, `--table`, `--stack`, `--region` and, for commands that write
 * (`silence`, `ack`), `--author` to a command.
 */
export function targetOptions(cmd: Command, opts: { writes?: boolean } = {}): Command {
  cmd
    .option(
      '--inventory <file>',
      'the inventory: locally its state file (beside it, as `check` uses); its appliance names, maintenance windows and alerting.maxSilenceDays',
    )
    .option('--state <file>', "local alert state file instead of the inventory's (as `check --state`)")
    .option('--table <name>', "the deployed stack's alert table (AWS credentials from the environment)")
    .option('--stack <name>', `read the table name from this stack's ${TABLE_OUTPUT} output`)
    .option('--region <region>', 'AWS region (default: the SDK configuration)');
  if (opts.writes === false) return cmd;
  return cmd.option(
    '--author <name>',
    'who is acting, locally (default: the OS user); in AWS your STS identity is used',
  );
}

/** The stores and the actor of one operator command. */
export interface OperatorTarget {
  operators: OperatorStore;
  alerts: AlertStore;
  /** `state file PATH` or `table NAME`, for messages. */
  where: string;
  author: string;
}

/**
 * Resolves the target; AWS calls only when `--table` or `--stack` is given. A reader (`alerts`)
 * passes `identify: false`: nobody is acting, so STS is not asked who.
 */
export async function operatorTarget(
  flags: TargetFlags,
  { identify = true }: { identify?: boolean } = {},
): Promise<OperatorTarget> {
  if (flags.table === undefined && flags.stack === undefined) {
    const path = localStateFiles(flags).state;
    return {
      operators: new FileOperatorStore(path),
      alerts: new FileAlertStore(path),
      where: stateFileLabel(path),
      author: flags.author ?? localUser(),
    };
  }
  if (flags.table !== undefined && flags.stack !== undefined) {
    throw new ConfigError('give --table or --stack, not both');
  }
  if (flags.author !== undefined) {
    throw new ConfigError(
      '--author is for the local state file: in AWS the author is your identity as STS reports it',
    );
  }
  // The AWS clients load only here, so every other command starts without them.
  const [{ CloudFormationClient }, { DynamoDBClient }, { STSClient }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-sts'),
  ]);
  const config = awsClientConfig(flags.region !== undefined ? { region: flags.region } : {});
  const tableName = flags.table ?? (await tableFromStack(flags.stack!, new CloudFormationClient(config)));
  const doc = createAlertDocumentClient(new DynamoDBClient(config));
  return {
    operators: new DynamoDbOperatorStore(doc, tableName),
    alerts: new DynamoDbAlertStore(doc, { tableName }),
    where: `table ${tableName}`,
    author: identify ? await callerIdentity(new STSClient(config)) : '',
  };
}

/** The table name from the stack's output. */
export async function tableFromStack(stackName: string, cfn: CloudFormationClient): Promise<string> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  let outputs: Array<{ OutputKey?: string; OutputValue?: string }>;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = res.Stacks?.[0]?.Outputs ?? [];
  } catch (err) {
    throw new ConfigError(`cannot describe stack ${stackName}: ${errorMessage(err)}`, { cause: err });
  }
  const value = outputs.find((o) => o.OutputKey === TABLE_OUTPUT)?.OutputValue;
  if (value === undefined) {
    throw new ConfigError(
      `stack ${stackName} has no ${TABLE_OUTPUT} output (deployed before it existed? redeploy, or pass --table)`,
    );
  }
  return value;
}

/** The caller's ARN from STS GetCallerIdentity (which needs no IAM permission). */
export async function callerIdentity(sts: STSClient): Promise<string> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const res = await sts.send(new GetCallerIdentityCommand({}));
    if (res.Arn === undefined) throw new Error('STS returned no ARN');
    return res.Arn;
  } catch (err) {
    throw new ConfigError(`cannot tell who you are (STS GetCallerIdentity): ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/**
 * Runs an operator's request against the target; a refusal (no such silence, no open incident)
 * names the file or table it read, so "nothing to acknowledge" cannot hide a wrong state file.
 */
export async function namingTarget<T>(where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${err.message} (read ${where})`, { cause: err });
    throw err;
  }
}
