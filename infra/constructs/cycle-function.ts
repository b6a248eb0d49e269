/**
 * One monitoring cycle as a Lambda: bundled by the local esbuild, ARM64, in the VPC, with its log
 * group, failure queue and reserved concurrency. Every environment variable it sets comes with the
 * permission it implies (table → read/write, topic → publish, SSH secrets → read of exactly those).
 * Metrics need no permission: they are EMF lines in the function's own log group.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../../shared/errors';
import type { Inventory } from '../../shared/inventory';
import { ALERT_TABLE } from '../../shared/state/table';
import { type CycleName, cycleIntervalMinutes, sshSecretIds } from '../deploy-plan';
import { CYCLE_FUNCTION_SIZING, cycleTimeoutSeconds } from '../sizing';
import { retentionDays } from './log-retention';
import type { Network } from './network';

/**
 * DynamoDB calls of the alert store (BatchGet, Query of the appliance index for open alerts,
 * conditional Put) and the memory store (Get, Put). No Scan: a cycle never reads the whole table.
 */
export const ALERT_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
] as const;

/** The repository root: entries, lock file and tsconfig are resolved from here. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
/** Where the validated inventory sits inside the deployed bundle (Lambda unpacks code to /var/task). */
export const BUNDLED_INVENTORY = '/var/task/inventory.json';
/** The Lambda runtime: Node.js 24 is the newest the CDK knows (cdk-nag's L1 asks for the latest; ≥ 22 required). */
export const CYCLE_RUNTIME = Runtime.NODEJS_24_X;

/**
 * What every function of the stack shares: its handler in `functions/<file>`, the runtime, ARM64,
 * and bundling by the local esbuild to one minified CommonJS file with source maps, without
 * `@aws-sdk/*` (the runtime has it), class and function names kept. `bundling` adds to or
 * overrides those options.
 */
export function bundledFunction(
  file: string,
  bundling: BundlingOptions = {},
): Pick<
  NodejsFunctionProps,
  'entry' | 'handler' | 'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'bundling'
> {
  return {
    entry: path.join(PROJECT_ROOT, 'functions', file),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: CYCLE_RUNTIME,
    architecture: Architecture.ARM_64,
    bundling: {
      format: OutputFormat.CJS,
      minify: true,
      // Errors are named after their class (`new.target.name`): minified, a failed invocation and
      // its dead-letter record would name a two-letter class where the code says ConfigError.
      keepNames: true,
      sourceMap: true,
      externalModules: ['@aws-sdk/*'],
      ...bundling,
    },
  };
}

/**
 * What a cycle function's bundle leaves out. ssh2's optional native parts are built for this
 * machine, not for ARM64 Lambda: left out, ssh2 falls back to its pure-JS crypto. @aws-sdk/*
 * comes with the runtime.
 */
export const CYCLE_EXTERNAL_MODULES = ['@aws-sdk/*', 'cpu-features', '*.node'] as const;

/** Inputs of one cycle function. */
export interface CycleFunctionProps {
  /** Which cycle: its handler is `functions/<cycle>-cycle.ts`. */
  readonly cycle: CycleName;
  /** The validated inventory (with defaults): shipped in the bundle, and the source of grants. */
  readonly inventory: Inventory;
  readonly network: Network;
  readonly alertTable: ITable;
  readonly alertTopic: ITopic;
  /** The topic's KMS key, when encrypted: publishing needs to encrypt with it. */
  readonly alertTopicKey?: IKey;
  /** Receives events the function failed (async invocations are not retried: the next cycle is near). */
  readonly failureQueue: IQueue;
  /** Scheduled shards of this cycle: the reserved concurrency, so a cycle never runs twice per shard. */
  readonly shardCount: number;
}

/** A cycle Lambda and its execution role. */
export class CycleFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: IRole;
  readonly timeout: Duration;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CycleFunctionProps) {
    super(scope, id);
    const inv = props.inventory;
    const interval = cycleIntervalMinutes(inv, props.cycle);
    this.timeout = Duration.seconds(cycleTimeoutSeconds(interval));

    this.logGroup = new LogGroup(this, 'LogGroup', {
      // A readable name for `aws logs tail` (Lambda's default /aws/lambda/<generated name> is not).
      logGroupName: `/cpq-monitor/${Stack.of(this).stackName}/${props.cycle}-cycle`,
      retention: retentionDays(inv),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const role = this.executionRole(props.cycle);
    this.role = role;

    const stagedInventory = stageInventory(this, inv, props.cycle);
    this.function = new NodejsFunction(this, 'Function', {
      description: `cpq-monitor ${props.cycle} cycle (every ${interval} min)`,
      ...bundledFunction(`${props.cycle}-cycle.ts`, {
        externalModules: [...CYCLE_EXTERNAL_MODULES],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `node -e "require('node:fs').copyFileSync(process.argv[1], process.argv[2])" ${JSON.stringify(stagedInventory)} ${JSON.stringify(path.join(outputDir, 'inventory.json'))}`,
          ],
        },
      }),
      memorySize: CYCLE_FUNCTION_SIZING.memoryMb,
      timeout: this.timeout,
      role,
      logGroup: this.logGroup,
      vpc: props.network.vpc,
      vpcSubnets: props.network.subnets,
      securityGroups: props.network.securityGroups,
      reservedConcurrentExecutions: props.shardCount,
      deadLetterQueue: props.failureQueue,
      retryAttempts: 0,
      // An event older than one interval is stale: the next scheduled one replaces it.
      maxEventAge: Duration.seconds(Math.max(60, interval * 60)),
      environment: {
        INVENTORY_FILE: BUNDLED_INVENTORY,
        ALERT_TABLE_NAME: props.alertTable.tableName,
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        LOG_LEVEL: inv.deploy?.logLevel ?? 'info',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    grantEnvironment(role, props);
    if (props.cycle === 'ssh') grantSshSecrets(role, inv);
  }

  /** An own role instead of the AWS-managed execution policies: logs only to this group, ENIs only. */
  private executionRole(cycle: CycleName): Role {
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `cpq-monitor ${cycle} cycle`,
    });
    role.addToPolicy(
      new PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    this.logGroup.grantWrite(role);
    return role;
  }
}

/**
 * Paired with ALERT_TABLE_NAME / ALERT_TOPIC_ARN in the function's environment. Exactly the calls
 * the alert and memory stores make (grantReadWriteData would add DeleteItem, UpdateItem,
 * BatchWriteItem, streams...); grantPublish would add kms:GenerateDataKey* on the key, and SNS
 * needs exactly the two below to encrypt a message.
 */
function grantEnvironment(role: Role, props: CycleFunctionProps): void {
  role.addToPolicy(
    new PolicyStatement({
      sid: 'AlertStateTable',
      actions: [...ALERT_TABLE_ACTIONS],
      resources: [
        props.alertTable.tableArn,
        `${props.alertTable.tableArn}/index/${ALERT_TABLE.applianceIndex}`,
      ],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      sid: 'PublishPages',
      actions: ['sns:Publish'],
      resources: [props.alertTopic.topicArn],
    }),
  );
  if (props.alertTopicKey !== undefined) {
    role.addToPolicy(
      new PolicyStatement({
        sid: 'EncryptPages',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.alertTopicKey.keyArn],
      }),
    );
  }
}

/** The SSH cycle reads its appliances' secrets: by prefix and tag when configured, else each one named. */
function grantSshSecrets(role: Role, inv: Inventory): void {
  const stack = Stack.of(role);
  const byTag = inv.deploy?.sshSecrets;
  if (byTag !== undefined) {
    // Attribute-based: any secret under the prefix that carries the tag (docs/deploy.md, "SSH secrets at scale").
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadTaggedSshSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: secretPrefixArns(stack, sshSecretIds(inv), byTag.prefix),
        conditions: { StringEquals: { [`secretsmanager:ResourceTag/${byTag.tagKey}`]: byTag.tagValue } },
      }),
    );
    return;
  }
  const ids = sshSecretIds(inv);
  if (ids.length === 0) return;
  role.addToPolicy(
    new PolicyStatement({
      sid: 'ReadNamedSshSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: ids.map((id) => secretArn(stack, id)),
    }),
  );
}

/**
 * ARN of a secret named in the inventory: an ARN as given; a name gets Secrets Manager's random
 * six-character suffix as `-??????` (exactly six characters, so `name` never matches `name-other`).
 */
export function secretArn(stack: Stack, id: string, field = 'ssh.credentials.secretId'): string {
  // IAM reads `*` and `?` in a resource as wildcards: a secret id holding one (or an ARN naming no
  // single secret) would grant far more than the one secret the inventory names.
  if (id.startsWith('arn:')) {
    if (!SECRET_ARN.test(id)) {
      throw new ConfigError(
        `${field} "${id}" is not the ARN of one secret (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME, no wildcards)`,
      );
    }
    return id;
  }
  if (!SECRET_NAME.test(id)) {
    throw new ConfigError(
      `${field} "${id}" is not a Secrets Manager secret name (1-512 of A-Z a-z 0-9 / _ + = . @ -, no wildcards)`,
    );
  }
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${id}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * `PREFIX*` in this stack's account and region, and in those of any secret given as a full ARN (each
 * already validated by `secretArn`): the resources of the attribute-based grant.
 */
export function secretPrefixArns(stack: Stack, ids: readonly string[], prefix: string): string[] {
  for (const id of ids) secretArn(stack, id);
  const bases = new Set<string>();
  for (const id of ids.filter((i) => i.startsWith('arn:'))) bases.add(id.slice(0, id.indexOf(':secret:')));
  const own = ids.some((id) => !id.startsWith('arn:'))
    ? [
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${prefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ]
    : [];
  return [...own, ...[...bases].map((base) => `${base}:secret:${prefix}*`)];
}

/** The characters Secrets Manager allows in a secret name. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A complete secret ARN, its name (with or without the random suffix) in the same characters. */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,519}$/;

/**
 * Writes the validated inventory (defaults filled in) where the afterBundling hook copies it from,
 * only when this stack is bundled (tests skip bundling and leave no file behind).
 */
function stageInventory(scope: Construct, inv: Inventory, cycle: CycleName): string {
  const dir = path.join(Stage.of(scope)?.outdir ?? PROJECT_ROOT, 'cpq-monitor-staging');
  const file = path.join(dir, `${Stack.of(scope).stackName}-${cycle}-inventory.json`);
  if (Stack.of(scope).bundlingRequired) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(inv, null, 2)}\n`);
  }
  return file;
}
