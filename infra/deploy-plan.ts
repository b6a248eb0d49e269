/**
 * What the stack derives from the inventory, as plain data: which appliances each cycle covers,
 * how they are split into shards, which egress rules the functions need and what an inventory must
 * add before it can be deployed. Pure functions, so the rules are tested without synthesising.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../shared/errors';
import { type Appliance, DEFAULTS, type Inventory, pathGroups } from '../shared/inventory';
import { clip } from '../shared/text';
import { CYCLES, type CycleName } from '../shared/verify/stack';
import { AWS_LIMITS, RESOLVED_BOUNDS } from './limits';

// The cycles are named with the stack outputs verify reads; the constructs take the name from here.
export type { CycleName };

/** What one scheduled invocation receives. */
export interface ShardInput {
  readonly cycle: CycleName;
  readonly shard: { readonly index: number; readonly count: number };
  readonly appliances: readonly string[];
}

/** One egress rule towards appliances: a CIDR and a TCP port, with the appliances it serves. */
export interface EgressRule {
  readonly cidr: string;
  readonly ipv6: boolean;
  readonly port: number;
  readonly description: string;
}

/** Security groups a Lambda ENI may carry (AWS default quota) and outbound rules per group (default quota). */
export const MAX_SECURITY_GROUPS = 5;
export const RULES_PER_SECURITY_GROUP = 60;
/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Appliances a cycle covers: the enabled ones; the SSH cycle only those with SSH settings. */
export function cycleAppliances(inv: Inventory, cycle: CycleName): Appliance[] {
  return inv.appliances.filter((a) => a.enabled && (cycle === 'probe' || a.ssh !== undefined));
}

/** Cycles that have at least one appliance (an inventory without SSH settings gets no SSH function). */
export function activeCycles(inv: Inventory): CycleName[] {
  return CYCLES.filter((c) => cycleAppliances(inv, c).length > 0);
}

/** Interval of a cycle's schedule, in minutes. */
export function cycleIntervalMinutes(inv: Inventory, cycle: CycleName): number {
  return cycle === 'probe' ? inv.monitor.probeIntervalMinutes : inv.monitor.sshIntervalMinutes;
}

/**
 * Splits names into the fewest shards of at most `shardSize`, sizes balanced (120 by 50 gives
 * 40/40/40, not 50/50/20) so no invocation carries more than its share.
 */
export function splitIntoShards<T>(items: readonly T[], shardSize: number): T[][] {
  if (items.length === 0) return [];
  const count = Math.ceil(items.length / shardSize);
  const base = Math.floor(items.length / count);
  const extra = items.length % count;
  const shards: T[][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    shards.push(items.slice(start, start + size));
    start += size;
  }
  return shards;
}

/**
 * The fleet's shards, shared by both cycles so a shard's probe and SSH memories speak of the same
 * appliances: path groups (an SMA with its ESAs: the rules across appliances and the path view
 * need both ends) packed in inventory order into shards of at most `shardSize`. A group
 * larger than that is split evenly (the SMA stays in its first part; the SSH cycle of the other
 * parts reads it as context for the rules across appliances).
 */
export function fleetShards(inv: Inventory): string[][] {
  const size = inv.deploy?.shardSize ?? DEFAULTS.shardSize;
  const shards: string[][] = [];
  let current: string[] = [];
  for (const group of pathGroups(inv).map((g) => g.map((a) => a.name))) {
    for (const part of group.length <= size ? [group] : splitIntoShards(group, size)) {
      if (current.length + part.length > size) {
        shards.push(current);
        current = [];
      }
      current.push(...part);
    }
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/** The scheduled inputs of one cycle, one per fleet shard that holds appliances of that cycle. */
export function cycleShards(inv: Inventory, cycle: CycleName): ShardInput[] {
  const members = new Set(cycleAppliances(inv, cycle).map((a) => a.name));
  const shards = fleetShards(inv);
  return shards
    .map((names, index) => ({
      cycle,
      shard: { index, count: shards.length },
      appliances: names.filter((n) => members.has(n)),
    }))
    .filter((s) => s.appliances.length > 0);
}

/** The address the functions connect to, as a CIDR: `address` if given, else `host` when it is an IP. */
export function applianceCidr(a: Appliance): { cidr: string; ipv6: boolean } | undefined {
  const raw = a.address ?? (isIP(a.host) !== 0 ? a.host : undefined);
  if (raw === undefined) return undefined;
  const [ip = '', bits] = raw.split('/');
  const ipv6 = isIP(ip) === 6;
  return { cidr: bits === undefined ? `${ip}/${ipv6 ? 128 : 32}` : raw, ipv6 };
}

/** Widest CIDR an appliance's `address` may name: a subnet of appliances, never a whole network. */
export const WIDEST_PREFIX = { ipv4: 16, ipv6: 48 } as const;

/**
 * Egress rules for every enabled appliance: its CPQ port and, with SSH settings, its SSH port.
 * Identical CIDR/port pairs are merged (appliances sharing a CIDR `address` cost one rule).
 */
export function applianceEgressRules(inv: Inventory): EgressRule[] {
  const byKey = new Map<string, { cidr: string; ipv6: boolean; port: number; uses: string[] }>();
  const add = (a: Appliance, port: number, what: string) => {
    const target = applianceCidr(a);
    if (target === undefined) return;
    const bits = Number(target.cidr.split('/')[1]);
    const widest = target.ipv6 ? WIDEST_PREFIX.ipv6 : WIDEST_PREFIX.ipv4;
    if (bits < widest) {
      // The security group is the functions' only network boundary: a wide CIDR opens SSH and the
      // CPQ port toward a whole network (0.0.0.0/0: the Internet), not toward one appliance.
      throw new ConfigError(
        `appliance ${a.name}: address ${target.cidr} would open egress to a whole network; give the appliance's address or its subnet (at most /${widest})`,
      );
    }
    const key = `${target.cidr}|${port}`;
    const rule = byKey.get(key) ?? { ...target, port, uses: [] };
    rule.uses.push(`${what} ${a.name}`);
    byKey.set(key, rule);
  };
  for (const a of inv.appliances.filter((x) => x.enabled)) {
    add(a, a.cpqPort, 'CPQ');
    if (a.ssh !== undefined) add(a, a.ssh.port, 'SSH');
  }
  // EC2 rule descriptions allow ASCII letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* only.
  return [...byKey.values()].map(({ uses, ...r }) => ({ ...r, description: clip(uses.join(', '), 255) }));
}

/** Splits egress rules over security groups: the first keeps `reserved` rules free for the AWS endpoints. */
export function groupEgressRules(rules: readonly EgressRule[], reserved: number): EgressRule[][] {
  const groups: EgressRule[][] = [[]];
  for (const rule of rules) {
    const current = groups[groups.length - 1]!;
    const room = RULES_PER_SECURITY_GROUP - (groups.length === 1 ? reserved : 0);
    if (current.length >= room) groups.push([rule]);
    else current.push(rule);
  }
  return groups;
}

/** Secrets Manager ids of the SSH credentials of enabled appliances, unique, in inventory order. */
export function sshSecretIds(inv: Inventory): string[] {
  const ids = cycleAppliances(inv, 'ssh')
    .map((a) => a.ssh?.credentials.secretId)
    .filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

/**
 * IAM characters the SSH role may spend naming secrets one by one: the role's inline policies
 * share 10,240 characters, and its other statements (network interfaces, logs, table, topic, key)
 * take about 2,500 at their longest (measured on the resolved template, see test/infra/limits.test.ts).
 */
export const SECRET_LIST_BUDGET_CHARS = 6_000;

/** Characters one secret adds to a policy that names it (its longest resolved ARN, quoted, a comma). */
export function namedSecretChars(id: string): number {
  if (id.startsWith('arn:')) return id.length + 3;
  const b = RESOLVED_BOUNDS;
  // arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-??????
  return (
    `arn::secretsmanager:::secret:-??????`.length +
    b['AWS::Partition'] +
    b['AWS::Region'] +
    b['AWS::AccountId'] +
    id.length +
    3
  );
}

/** The name part of a secret id (a name, or the name after `:secret:` in an ARN). */
export function secretName(id: string): string {
  return id.startsWith('arn:') ? id.slice(id.indexOf(':secret:') + ':secret:'.length) : id;
}

/**
 * How the SSH function's secrets grant fits IAM: with `deploy.sshSecrets` every secret must be
 * under its prefix (otherwise the function is denied at run time); without it, the secrets named
 * one by one must fit the role's policy budget.
 */
export function sshSecretProblems(inv: Inventory): string[] {
  const ids = sshSecretIds(inv);
  const abac = inv.deploy?.sshSecrets;
  if (abac !== undefined) {
    const outside = ids.filter((id) => !secretName(id).startsWith(abac.prefix));
    return outside.length === 0
      ? []
      : [
          `deploy.sshSecrets.prefix: ${outside.length} secret(s) are not under "${abac.prefix}" and could not be read (first: ${outside[0]}); rename them or choose a prefix that holds them all`,
        ];
  }
  const chars = ids.reduce((sum, id) => sum + namedSecretChars(id), 0);
  return chars <= SECRET_LIST_BUDGET_CHARS
    ? []
    : [
        `deploy.sshSecrets: ${ids.length} SSH secrets named one by one need ${chars.toLocaleString('en-US')} characters of IAM policy, over the ${SECRET_LIST_BUDGET_CHARS.toLocaleString('en-US')} the SSH role has for them (IAM allows ${AWS_LIMITS.inlinePolicyCharsPerRole.toLocaleString('en-US')} per role); set deploy.sshSecrets.prefix (e.g. cpq-monitor/ssh/) and tag the secrets (docs/deploy.md, "SSH secrets at scale")`,
      ];
}

/** The interface endpoints the functions call (infra/constructs/network.ts maps them to services). */
export type InterfaceEndpointName = 'Sns' | 'SecretsManager';

/**
 * The interface endpoints this inventory needs: SNS for pages, Secrets Manager only when some
 * appliance is read over SSH. The stack creates exactly these, and the cost estimate prices them.
 */
export function interfaceEndpointsFor(inv: Inventory): InterfaceEndpointName[] {
  return activeCycles(inv).includes('ssh') ? ['Sns', 'SecretsManager'] : ['Sns'];
}

/** Availability zones the interface endpoints go to: `deploy.endpointAzs`, else every subnet's zone. */
export function endpointAzCount(inv: Inventory): number {
  return inv.deploy?.endpointAzs ?? subnetCount(inv);
}

/** Subnets the functions run in: the imported ones, or the 2 of the stack's own VPC. */
export function subnetCount(inv: Inventory): number {
  return inv.deploy?.vpc?.subnetIds.length ?? OWN_VPC_AZS;
}

/** Availability zones (one isolated subnet each) of the VPC the stack creates when none is imported. */
export const OWN_VPC_AZS = 2;

/** Whether the stack creates the VPC endpoints: always for its own VPC, on request for an imported one. */
export function createsEndpoints(inv: Inventory): boolean {
  return inv.deploy?.vpc === undefined || inv.deploy.vpc.endpoints;
}

/** Rules (on top of the appliance rules) the first security group holds for the AWS APIs. */
export const ENDPOINT_RULES = 2;

/**
 * What a valid inventory still lacks to be deployed, as `path: problem` lines (the runtime's
 * error format): addresses for hostnames, Secrets Manager for SSH, what the endpoints need, limits.
 */
export function deployProblems(inv: Inventory): string[] {
  const problems: string[] = [];
  inv.appliances.forEach((a, i) => {
    if (!a.enabled) return;
    if (applianceCidr(a) === undefined) {
      problems.push(
        `appliances[${i}].address: required to deploy: "${a.host}" is a DNS name and the security group needs its IP or CIDR`,
      );
    }
    if (a.ssh !== undefined && a.ssh.credentials.secretId === undefined) {
      problems.push(
        `appliances[${i}].ssh.credentials: the Lambda reads SSH credentials only from Secrets Manager: set secretId`,
      );
    }
  });
  if (cycleAppliances(inv, 'probe').length === 0) problems.push('appliances: no enabled appliance to deploy');

  const deploy = inv.deploy;
  if (createsEndpoints(inv) && deploy?.dynamoDbPrefixListId === undefined) {
    problems.push(
      'deploy.dynamoDbPrefixListId: required when the stack creates the VPC endpoints (the security group allows HTTPS to the DynamoDB gateway endpoint through it)',
    );
  }
  const vpc = deploy?.vpc;
  if (vpc?.endpoints) {
    if (vpc.routeTableIds === undefined) {
      problems.push(
        'deploy.vpc.routeTableIds: required with endpoints on (the DynamoDB gateway endpoint attaches to the route tables of the subnets)',
      );
    } else if (vpc.routeTableIds.length !== vpc.subnetIds.length) {
      problems.push('deploy.vpc.routeTableIds: expected one route table id per subnet id, in the same order');
    }
  }
  if (deploy !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(deploy.logRetentionDays)) {
    problems.push(`deploy.logRetentionDays: expected one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }

  const groups = groupEgressRules(applianceEgressRules(inv), ENDPOINT_RULES);
  if (groups.length > MAX_SECURITY_GROUPS) {
    problems.push(
      `appliances: ${applianceEgressRules(inv).length} egress rules need more than ${MAX_SECURITY_GROUPS} security groups of ${RULES_PER_SECURITY_GROUP} rules; give appliances on one subnet a shared CIDR address`,
    );
  }
  for (const cycle of activeCycles(inv)) {
    const longest = Math.max(...cycleShards(inv, cycle).map((s) => Buffer.byteLength(JSON.stringify(s))));
    if (longest > AWS_LIMITS.scheduleInputBytes) {
      problems.push(
        `deploy.shardSize: a ${cycle} shard's schedule input is ${longest} bytes, over EventBridge Scheduler's ${AWS_LIMITS.scheduleInputBytes}-byte payload limit; lower shardSize`,
      );
    }
  }
  if (deploy?.endpointAzs !== undefined && deploy.endpointAzs > subnetCount(inv)) {
    problems.push(
      `deploy.endpointAzs: ${deploy.endpointAzs} zones asked for, but the functions run in ${subnetCount(inv)} subnet(s); at most that many`,
    );
  }
  problems.push(...sshSecretProblems(inv));
  return problems;
}
