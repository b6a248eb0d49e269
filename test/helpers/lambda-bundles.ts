/**
 * The deployed functions, run as Lambda would run them but on this machine: the stack is synthesized
 * with real bundling (the same NodejsFunction code path and local esbuild as `cdk synth`), each cycle
 * function is taken from the cloud assembly with its handler, timeout and environment as the
 * template declares them, and invoked in a plain Node child process (no Jest module system)
 * against loopback AWS endpoints: dynalite for DynamoDB, stubs for SNS and Secrets Manager.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { CycleName } from '../../infra/deploy-plan';
import { CpqMonitorStack } from '../../infra/stacks/cpq-monitor-stack';
import type { Inventory } from '../../shared/inventory';
import { type SecretsStub, type SnsStub, startSecretsStub, startSnsStub } from './aws-stubs';
import {
  createAlertTable,
  type Dynalite,
  LOOPBACK_CREDENTIALS,
  LOOPBACK_REGION,
  startDynalite,
} from './dynalite';

const ROOT = path.resolve(__dirname, '../..');
const RUNTIME = path.join(__dirname, 'lambda-runtime.cjs');
/** Where Lambda unpacks a function's code; the template's paths under it point into the asset. */
const TASK_ROOT = '/var/task/';

/** One built function as the template declares it. */
export interface FunctionBundle {
  /** Logical id in the template. */
  logicalId: string;
  /** The asset directory (Lambda's /var/task). */
  dir: string;
  /** The module file and its export, from the template's `Handler`. */
  module: string;
  exportName: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The template's variables, references resolved and /var/task paths mapped into `dir`. */
  environment: Record<string, string>;
}

/** What a synth with bundling gives the tests: the cycle functions and the events their schedules send. */
export interface BuiltStack {
  outdir: string;
  functions: Partial<Record<CycleName, FunctionBundle>>;
  /** Each schedule's target input, parsed from the nested stacks' templates. */
  scheduleEvents: Record<string, unknown>[];
}

/** Names the stack's table and topic get in the loopback world (CloudFormation would generate them). */
export interface PhysicalNames {
  tableName: string;
  topicArn: string;
}

/** Synthesizes the stack for `inventory` into `outdir` with bundling on, as `cdk synth` does. */
export function buildStack(inventory: Inventory, outdir: string, names: PhysicalNames): BuiltStack {
  // Asset metadata is what the CDK CLI turns on to tie a function to its asset directory.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new CpqMonitorStack(app, 'CpqMonitor', {
    inventory,
    inventorySource: 'acceptance inventory',
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as Template;
  const refs: Record<string, string> = {
    [logicalIdOf(stack, stack.alerting.table)]: names.tableName,
    [logicalIdOf(stack, stack.alerting.topic)]: names.topicArn,
  };
  const functions: BuiltStack['functions'] = {};
  for (const [cycle, fn] of Object.entries(stack.functions)) {
    functions[cycle as CycleName] = bundleOf(template, logicalIdOf(stack, fn.function), outdir, refs);
  }
  const scheduleEvents = stack.schedules.stacks.flatMap((nested) => {
    const t = JSON.parse(readFileSync(path.join(outdir, nested.templateFile), 'utf8')) as Template;
    return Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::Scheduler::Schedule')
      .map((r) => JSON.parse((r.Properties.Target as { Input: string }).Input) as Record<string, unknown>);
  });
  return { outdir, functions, scheduleEvents };
}

interface Template {
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function bundleOf(
  template: Template,
  logicalId: string,
  outdir: string,
  refs: Record<string, string>,
): FunctionBundle {
  const resource = template.Resources[logicalId];
  const assetPath = resource?.Metadata?.['aws:asset:path'];
  if (resource === undefined || typeof assetPath !== 'string') {
    throw new Error(`function ${logicalId}: not in the template or without an asset path`);
  }
  const props = resource.Properties as {
    Handler: string;
    Timeout: number;
    MemorySize: number;
    Environment?: { Variables?: Record<string, unknown> };
  };
  const dir = path.resolve(outdir, assetPath);
  const dot = props.Handler.lastIndexOf('.');
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(props.Environment?.Variables ?? {})) {
    const text = resolveValue(value, refs, `${logicalId} ${name}`);
    environment[name] = text.startsWith(TASK_ROOT) ? path.join(dir, text.slice(TASK_ROOT.length)) : text;
  }
  return {
    logicalId,
    dir,
    module: path.join(dir, `${props.Handler.slice(0, dot)}.js`),
    exportName: props.Handler.slice(dot + 1),
    timeoutSeconds: props.Timeout,
    memoryMb: props.MemorySize,
    environment,
  };
}

/** A literal, or a `Ref` to a resource the loopback world names; anything else is a test gap, said so. */
function resolveValue(value: unknown, refs: Record<string, string>, what: string): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string } | null)?.Ref;
  if (ref !== undefined && refs[ref] !== undefined) return refs[ref];
  throw new Error(`${what}: ${JSON.stringify(value)} has no loopback value (add it to the harness's refs)`);
}

/** DynamoDB (dynalite, alert table created), SNS and Secrets Manager on loopback. */
export interface LoopbackAws {
  dynamodb: Dynalite;
  sns: SnsStub;
  secrets: SecretsStub;
  /** The variables that point a function's SDK clients here, with dummy credentials. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the loopback AWS endpoints for `names`; `secrets` maps secret ids to their text. */
export async function startLoopbackAws(
  names: PhysicalNames,
  secrets: Record<string, string>,
): Promise<LoopbackAws> {
  const dynamodb = await startDynalite();
  const started: { close(): Promise<void> }[] = [dynamodb];
  try {
    await createAlertTable(dynamodb.client, names.tableName);
    const sns = await startSnsStub([names.topicArn]);
    started.push(sns);
    const secretStub = await startSecretsStub(secrets);
    started.push(secretStub);
    return {
      dynamodb,
      sns,
      secrets: secretStub,
      env: {
        AWS_REGION: LOOPBACK_REGION,
        AWS_DEFAULT_REGION: LOOPBACK_REGION,
        AWS_ACCESS_KEY_ID: LOOPBACK_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOOPBACK_CREDENTIALS.secretAccessKey,
        // The SDK's per-service endpoint variables (its service ids, upper-cased, spaces as _).
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        AWS_ENDPOINT_URL_SNS: sns.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretStub.endpoint,
      },
      close: () => closeAll(started),
    };
  } catch (err) {
    await closeAll(started);
    throw err;
  }
}

async function closeAll(items: { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(items.map((i) => i.close()));
}

/** One invocation: the handler's result or its error, and what the process wrote. */
export interface Invocation {
  result?: unknown;
  /** Set when the module failed to load (`init`), the handler threw (`invoke`) or the timeout passed. */
  error?: { phase: 'init' | 'invoke' | 'timeout' | 'exit'; name: string; message: string };
  stdout: string;
  stderr: string;
}

/**
 * Invokes `fn` once in a fresh Node process (a cold start), with its template environment plus
 * `env`, as Lambda would: cwd at the asset, `@aws-sdk/*` from this checkout's node_modules (the
 * runtime's copy in Lambda), nothing of this process's environment but PATH. The process is
 * killed when the function's timeout passes, as Lambda ends an invocation.
 */
export function invokeFunction(
  fn: FunctionBundle,
  event: unknown,
  env: Record<string, string>,
): Promise<Invocation> {
  const timeoutMs = fn.timeoutSeconds * 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNTIME, fn.module, fn.exportName], {
      cwd: fn.dir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: path.join(ROOT, 'node_modules'),
        TZ: 'UTC',
        LAMBDA_TASK_ROOT: fn.dir,
        AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        // Keep the SDK off this machine's profiles and instance metadata: loopback only.
        AWS_CONFIG_FILE: path.join(fn.dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(fn.dir, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        // Lambda runs Node 22+; the SDK's notice about this machine's Node 20 is not the function's.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...fn.environment,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    let outcome: Pick<Invocation, 'result' | 'error'> | undefined;
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('message', (m: Pick<Invocation, 'result' | 'error'>) => {
      outcome = m;
    });
    // Lambda's own bound: the function's timeout (and a moment to start the process).
    const timer = setTimeout(() => {
      outcome ??= {
        error: { phase: 'timeout', name: 'Timeout', message: `no answer within ${fn.timeoutSeconds} s` },
      };
      child.kill('SIGKILL');
    }, timeoutMs + 5000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ended = {
        phase: 'exit' as const,
        name: 'Exit',
        message: `ended (${signal ?? code}) without an answer`,
      };
      resolve({ ...(outcome ?? { error: ended }), stdout, stderr });
    });
    child.send({ event, timeoutMs, requestId: randomUUID() });
  });
}
