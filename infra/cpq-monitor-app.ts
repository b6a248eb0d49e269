/**
 * From CDK context to the stack: reads `-c inventory=FILE` with the runtime's loader (same schema,
 * same error text), merges the deploy settings given as context, and adds the cdk-nag checks.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Node } from 'constructs';
import { ConfigError, errorMessage } from '../shared/errors';
import { type Inventory, InventoryError, loadInventory, parseInventory } from '../shared/inventory';
import { caBundleProblem, certificateBlocks, readCaFile } from '../shared/tls/ca-bundle';
import { CpqMonitorStack } from './stacks/cpq-monitor-stack';

/**
 * Context keys the app reads. Lists take a comma-separated string (`-c subnetIds=subnet-a,subnet-b`)
 * or an array (cdk.json). Context wins over the inventory's `deploy` section; subscriptions add up.
 */
export const CONTEXT_KEYS = {
  inventory: 'inventory',
  stackName: 'stackName',
  account: 'account',
  region: 'region',
  vpcId: 'vpcId',
  subnetIds: 'subnetIds',
  availabilityZones: 'availabilityZones',
  routeTableIds: 'routeTableIds',
  endpoints: 'endpoints',
  dynamoDbPrefixListId: 'dynamoDbPrefixListId',
  alertEmail: 'alertEmail',
  alertHttps: 'alertHttps',
  alertSms: 'alertSms',
} as const;

import { DEFAULT_STACK_NAME } from '../shared/verify/stack';

export { DEFAULT_STACK_NAME };

/** The inventory after context overrides, and how to name it in errors. */
export interface DeployInventory {
  readonly inventory: Inventory;
  readonly source: string;
}

function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * The Lambdas get the inventory and nothing else: every `tls.caFile` (fleet or appliance, relative
 * to the inventory file) is read now and its certificates alone are shipped as `tls.caPem`. A
 * missing file, one without a PEM certificate or one holding a private key fails synth naming the
 * field and the file, instead of probes silently running without the CA or a key shipping.
 */
export function inlineCaFiles(inv: Inventory, file: string): Inventory {
  const base = dirname(resolve(file));
  const problems: string[] = [];
  const inline = <T extends { caFile?: string | undefined; caPem?: string | undefined }>(
    tls: T,
    at: string,
  ): T => {
    if (tls.caFile === undefined) return tls;
    const path = isAbsolute(tls.caFile) ? tls.caFile : resolve(base, tls.caFile);
    let pem: string;
    try {
      pem = readCaFile(path);
    } catch (err) {
      problems.push(`${at}.caFile: cannot read ${path}: ${errorMessage(err)}`);
      return tls;
    }
    const problem = caBundleProblem(pem);
    if (problem !== undefined) {
      problems.push(`${at}.caFile: ${path} ${problem}`);
      return tls;
    }
    const { caFile: _shipped, ...rest } = tls;
    return { ...rest, caPem: certificateBlocks(pem) } as T;
  };
  const out: Inventory = {
    ...inv,
    tls: inline(inv.tls, 'tls'),
    appliances: inv.appliances.map((a, i) =>
      a.tls ? { ...a, tls: inline(a.tls, `appliances[${i}].tls`) } : a,
    ),
  };
  if (problems.length > 0) throw new InventoryError(file, problems);
  return out;
}

/** Loads and validates the inventory named by context, then applies the context's deploy overrides. */
export function inventoryFromContext(node: Node): DeployInventory {
  const ctx = (key: string): unknown => node.tryGetContext(key);
  const file = text(ctx(CONTEXT_KEYS.inventory));
  if (file === undefined || file === '') {
    throw new ConfigError('no inventory: pass one with -c inventory=FILE (see config/example.yaml)');
  }
  const inv = inlineCaFiles(loadInventory(file), file);

  const used: string[] = [];
  const take = <T>(key: string, read: (v: unknown) => T | undefined): T | undefined => {
    const v = read(ctx(key));
    if (v !== undefined) used.push(key);
    return v;
  };
  const vpcOverride = {
    vpcId: take(CONTEXT_KEYS.vpcId, text),
    subnetIds: take(CONTEXT_KEYS.subnetIds, list),
    availabilityZones: take(CONTEXT_KEYS.availabilityZones, list),
    routeTableIds: take(CONTEXT_KEYS.routeTableIds, list),
    endpoints: take(CONTEXT_KEYS.endpoints, (v) =>
      v === undefined ? undefined : typeof v === 'boolean' ? v : String(v) !== 'false',
    ),
  };
  const prefixList = take(CONTEXT_KEYS.dynamoDbPrefixListId, text);
  const extra = {
    email: take(CONTEXT_KEYS.alertEmail, list) ?? [],
    https: take(CONTEXT_KEYS.alertHttps, list) ?? [],
    sms: take(CONTEXT_KEYS.alertSms, list) ?? [],
  };
  if (used.length === 0) return { inventory: inv, source: file };

  const deploy: Record<string, unknown> = { ...inv.deploy };
  const vpcGiven = Object.fromEntries(Object.entries(vpcOverride).filter(([, v]) => v !== undefined));
  if (Object.keys(vpcGiven).length > 0) deploy.vpc = { ...inv.deploy?.vpc, ...vpcGiven };
  if (prefixList !== undefined) deploy.dynamoDbPrefixListId = prefixList;
  const subs = inv.deploy?.subscriptions ?? { email: [], https: [], sms: [] };
  deploy.subscriptions = {
    email: [...subs.email, ...extra.email],
    https: [...subs.https, ...extra.https],
    sms: [...subs.sms, ...extra.sms],
  };
  // Re-validated with the same schema: a bad context value fails like a bad inventory field.
  const source = `${file} with context ${used.join(', ')}`;
  return { inventory: parseInventory({ ...inv, deploy }, source), source };
}

/** Builds the stack from context and registers the cdk-nag AwsSolutions checks on the app. */
export function buildCpqMonitorApp(app: App): CpqMonitorStack {
  const { inventory, source } = inventoryFromContext(app.node);
  const account = text(app.node.tryGetContext(CONTEXT_KEYS.account));
  const region = text(app.node.tryGetContext(CONTEXT_KEYS.region));
  const stack = new CpqMonitorStack(
    app,
    text(app.node.tryGetContext(CONTEXT_KEYS.stackName)) ?? DEFAULT_STACK_NAME,
    {
      inventory,
      inventorySource: source,
      // Environment-agnostic unless pinned by context: synth never needs AWS credentials.
      env: account !== undefined || region !== undefined ? { account, region } : undefined,
    },
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
