/**
 * The monthly AWS bill of a deployed inventory, line by line, from the stack's own numbers (shards,
 * schedules, memory, endpoints), the measured figures and the list prices of ./prices. Pure: the
 * same arithmetic gives docs/deploy.md's table and `cpq-monitor cost`.
 */
import { type Inventory, parseInventory } from '../../shared/inventory';
import { applianceMetricsOn } from '../../shared/metrics/from-observations';
import {
  activeCycles,
  type CycleName,
  createsEndpoints,
  cycleAppliances,
  cycleIntervalMinutes,
  cycleShards,
  endpointAzCount,
  interfaceEndpointsFor,
  sshSecretIds,
} from '../deploy-plan';
import { CYCLE_FUNCTION_SIZING } from '../sizing';
import {
  APPLIANCE_METRIC_COUNT,
  ASSUMED,
  FLEET_METRIC_COUNT,
  HOURS_PER_MONTH,
  MEASURED,
  PRICES,
} from './prices';
import { getItemUnits } from './read-units';

/** One line of the bill. */
export interface CostLine {
  item: string;
  /** How the amount was computed, in words and numbers. */
  basis: string;
  usd: number;
  /** Interface endpoints are reported apart (a VPC with a NAT or shared endpoints does not pay them). */
  endpoint?: boolean;
}

/** The estimate: lines, the total and the total without interface endpoints. */
export interface CostEstimate {
  appliances: number;
  lines: CostLine[];
  total: number;
  totalWithoutEndpoints: number;
}

const GB = 1e9;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** Runs of one shard of a cycle per month. */
export function runsPerMonth(inv: Inventory, cycle: CycleName): number {
  return (HOURS_PER_MONTH * 60) / cycleIntervalMinutes(inv, cycle);
}

/** CloudWatch's tiered custom-metric price for `n` metrics in a month. */
export function metricsPrice(n: number): number {
  const first = Math.min(n, 10_000);
  const next = Math.min(Math.max(n - 10_000, 0), 240_000);
  return first * PRICES.metricMonthFirst10k + next * PRICES.metricMonthNext240k;
}

/** Runs a cached secret serves in one execution environment: the cache, capped by the environment's life. */
function cacheRuns(inv: Inventory): number {
  const lifetime = Math.min(inv.monitor.secretCacheMinutes, ASSUMED.containerLifetimeMinutes);
  return Math.max(1, Math.floor(lifetime / cycleIntervalMinutes(inv, 'ssh')));
}

/**
 * How often a run of an SSH shard fetches one of its secrets. The cache lives in one Lambda
 * execution environment and serves L runs (`cacheRuns`). With N shards invoked together, a run
 * lands on any of N warm environments, which holds the secret only if it served one of the m
 * shards using that secret within its last L-1 runs: a miss is max(1/L, (1 - m/N)^(L-1)). A
 * secret of one appliance (m = 1) misses nearly every run once N is large; a secret every shard
 * uses (m = N) is fetched once per cache lifetime per environment. Failed logins refetch at once;
 * a fleet with a few wrong passwords adds a call per run each.
 */
export function secretMissRate(inv: Inventory, shardsUsingSecret = 1): number {
  return missRate(cacheRuns(inv), Math.max(1, cycleShards(inv, 'ssh').length), shardsUsingSecret);
}

function missRate(runs: number, shards: number, using: number): number {
  return Math.max(1 / runs, (1 - Math.min(using, shards) / shards) ** (runs - 1));
}

/** `GetSecretValue` calls of one SSH run of every shard together (a month is this times the runs). */
export function secretFetchesPerRun(inv: Inventory): number {
  const byName = new Map(inv.appliances.map((a) => [a.name, a]));
  const shards = cycleShards(inv, 'ssh');
  const secretsOf = shards.map(
    (s) =>
      new Set(
        s.appliances
          .map((n) => byName.get(n)?.ssh?.credentials.secretId)
          .filter((id): id is string => id !== undefined),
      ),
  );
  const users = new Map<string, number>();
  for (const set of secretsOf) for (const id of set) users.set(id, (users.get(id) ?? 0) + 1);
  const runs = cacheRuns(inv);
  let calls = 0;
  for (const set of secretsOf) for (const id of set) calls += missRate(runs, shards.length, users.get(id)!);
  return calls;
}

/** DynamoDB read units of one invocation of a shard of `members` appliances (infra/cost/read-units.ts). */
export function readUnitsPerInvocation(members: number): number {
  return (
    // One Query per appliance, and one for the monitor's own causes (shared/cycle/run.ts).
    (members + 1) * MEASURED.alertReadUnitsPerAppliance +
    // Both memory parts are read by either cycle, strongly consistent.
    getItemUnits(members * MEASURED.probeMemoryBytesPerAppliance) +
    getItemUnits(members * MEASURED.sshMemoryBytesPerAppliance) +
    ASSUMED.operatorReadUnitsPerInvocation
  );
}

/** The monthly estimate of an inventory as the stack would deploy it. */
export function estimateMonthlyCost(inv: Inventory): CostEstimate {
  const usage = cycleUsage(inv);
  const lines: CostLine[] = [
    ...lambdaLines(usage),
    metricsLine(inv),
    ...logLines(inv, usage.logBytes),
    {
      item: 'Alarms',
      basis: `${ASSUMED.alarms} watchdog alarms`,
      usd: ASSUMED.alarms * PRICES.alarmMonth,
    },
    {
      item: 'Dashboards',
      basis: `${ASSUMED.dashboards} (the overview with its per-appliance drill-down)`,
      usd: ASSUMED.dashboards * PRICES.dashboardMonth,
    },
    { item: 'KMS key', basis: '1 key (the topic)', usd: PRICES.kmsKeyMonth },
    {
      item: 'DynamoDB reads',
      basis: `${fmt(usage.readUnits)} read units (a Query of the appliance index per appliance, both memory parts, the operators' items, per invocation)`,
      usd: (usage.readUnits / 1e6) * PRICES.dynamoDbPerMillionReads,
    },
    ...secretsLines(inv),
    ...endpointLines(inv),
  ];
  const total = lines.reduce((s, l) => s + l.usd, 0);
  const totalWithoutEndpoints = lines.filter((l) => !l.endpoint).reduce((s, l) => s + l.usd, 0);
  return {
    appliances: inv.appliances.filter((a) => a.enabled).length,
    lines,
    total,
    totalWithoutEndpoints,
  };
}

/** What the cycles use in a month, over all their shards and runs. */
interface CycleUsage {
  requests: number;
  gbSeconds: number;
  logBytes: number;
  readUnits: number;
  /** One `cycle: shards x runs, appliances` phrase per active cycle. */
  basis: string[];
}

function cycleUsage(inv: Inventory): CycleUsage {
  const gbFactor = CYCLE_FUNCTION_SIZING.memoryMb / 1024;
  const usage: CycleUsage = { requests: 0, gbSeconds: 0, logBytes: 0, readUnits: 0, basis: [] };
  for (const cycle of activeCycles(inv)) {
    const shards = cycleShards(inv, cycle).length;
    const members = cycleAppliances(inv, cycle);
    const runs = runsPerMonth(inv, cycle);
    const msPer = cycle === 'probe' ? MEASURED.probeMsPerAppliance : MEASURED.sshMsPerAppliance;
    const recordBytes = cycle === 'probe' ? MEASURED.probeRecordBytes : MEASURED.sshRecordBytes;
    const emfBytes = cycle === 'probe' ? MEASURED.probeEmfBytes : MEASURED.sshEmfBytes;
    const optedIn = members.filter((a) => applianceMetricsOn(inv, a)).length;
    usage.requests += shards * runs;
    usage.gbSeconds += (members.length * msPer * runs * gbFactor) / 1000;
    usage.logBytes +=
      runs *
      (shards * (emfBytes + ASSUMED.platformLogBytesPerInvocation) +
        members.length * recordBytes +
        optedIn * ASSUMED.applianceEmfBytesPerRun);
    for (const sh of cycleShards(inv, cycle))
      usage.readUnits += runs * readUnitsPerInvocation(sh.appliances.length);
    usage.basis.push(`${cycle}: ${shards} shard(s) x ${fmt(runs)} runs, ${members.length} appliances`);
  }
  return usage;
}

function lambdaLines(usage: CycleUsage): CostLine[] {
  return [
    {
      item: 'Lambda requests',
      basis: `${fmt(usage.requests)} invocations (${usage.basis.join('; ')})`,
      usd: (usage.requests / 1e6) * PRICES.lambdaPerMillionRequests,
    },
    {
      item: 'Lambda duration',
      basis: `${fmt(usage.gbSeconds)} GB-s at ${CYCLE_FUNCTION_SIZING.memoryMb} MB (measured ${MEASURED.probeMsPerAppliance} ms per probed, ${MEASURED.sshMsPerAppliance} ms per read appliance)`,
      usd: usage.gbSeconds * PRICES.lambdaGbSecondArm,
    },
  ];
}

function metricsLine(inv: Inventory): CostLine {
  const probeOnly = cycleAppliances(inv, 'probe').filter((a) => a.ssh === undefined);
  const detail = inv.monitor.metricsDetail;
  let perAppliance = 0;
  for (const a of cycleAppliances(inv, 'probe')) {
    if (!applianceMetricsOn(inv, a)) continue;
    // An appliance without SSH has only the probe metrics: 3 fewer.
    perAppliance += APPLIANCE_METRIC_COUNT[detail] - (probeOnly.includes(a) ? 3 : 0);
  }
  const metrics = FLEET_METRIC_COUNT + perAppliance;
  return {
    item: 'Custom metrics',
    basis: `${FLEET_METRIC_COUNT} fleet + ${perAppliance} per-appliance = ${fmt(metrics)} metrics`,
    usd: metricsPrice(metrics),
  };
}

function logLines(inv: Inventory, logBytes: number): CostLine[] {
  const retentionMonths = (inv.deploy?.logRetentionDays ?? 30) / 30;
  const ingestGb = logBytes / GB;
  return [
    {
      item: 'Logs ingestion',
      basis: `${fmt(ingestGb)} GB of appliance records, EMF and run lines`,
      usd: ingestGb * PRICES.logsIngestPerGb,
    },
    {
      item: 'Logs storage',
      basis: `${fmt(ingestGb * retentionMonths)} GB kept (${fmt(retentionMonths)} months' retention, uncompressed)`,
      usd: ingestGb * retentionMonths * PRICES.logsStoragePerGbMonth,
    },
  ];
}

function secretsLines(inv: Inventory): CostLine[] {
  const secrets = sshSecretIds(inv).length;
  const sshRuns = cycleAppliances(inv, 'ssh').length > 0 ? runsPerMonth(inv, 'ssh') : 0;
  const perRun = secretFetchesPerRun(inv);
  const calls = perRun * sshRuns;
  return [
    {
      item: 'Secrets Manager API',
      basis: `${fmt(perRun)} fetches per SSH run of all ${cycleShards(inv, 'ssh').length} shard(s) (${secrets} secret(s), cache ${inv.monitor.secretCacheMinutes} min) x ${fmt(sshRuns)} runs = ${fmt(calls)} calls`,
      usd: (calls / 1e4) * PRICES.secretsManagerPer10kCalls,
    },
    {
      item: 'Secrets Manager storage',
      basis: `${secrets} secret(s) the inventory names for SSH`,
      usd: secrets * PRICES.secretMonth,
    },
  ];
}

/** The interface endpoints the stack creates, when it creates them. */
function endpointLines(inv: Inventory): CostLine[] {
  if (!createsEndpoints(inv)) return [];
  const endpoints = interfaceEndpointsFor(inv);
  const azs = endpointAzCount(inv);
  const hours = endpoints.length * azs * HOURS_PER_MONTH;
  return [
    {
      item: 'Interface endpoints',
      basis: `${endpoints.length} endpoint(s) (${endpoints.join(', ')}) x ${azs} AZ(s) x ${HOURS_PER_MONTH} h`,
      usd: hours * PRICES.interfaceEndpointAzHour,
      endpoint: true,
    },
  ];
}

/** How a fleet keeps its SSH credentials in Secrets Manager. */
export type SecretLayout = 'fleet' | 'per-cluster' | 'per-appliance';

/**
 * The fleet docs/deploy.md prices: `n` appliances as SMAs with up to 19 ESAs each, every one with
 * SSH, with one secret for the whole fleet, one per SMA and its ESAs, or one per appliance;
 * default settings otherwise.
 */
export function costFleet(n: number, secrets: SecretLayout = 'fleet'): Inventory {
  const key = `SHA256:${'A'.repeat(43)}`;
  const appliances: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const group = Math.floor(i / 20);
    const sma = `sma${group}`;
    const name = i % 20 === 0 ? sma : `esa${group}-${i % 20}`;
    const secretId =
      secrets === 'per-appliance'
        ? `cpq-monitor/ssh/${name}`
        : secrets === 'per-cluster'
          ? `cpq-monitor/ssh/cluster${group}`
          : 'cpq-monitor/ssh/fleet';
    appliances.push({
      name,
      role: i % 20 === 0 ? 'sma' : 'esa',
      host: `10.${Math.floor(group / 250)}.${group % 250}.${(i % 20) + 1}`,
      ...(i % 20 === 0 ? {} : { quarantine: { sma } }),
      ssh: { user: 'monitor', hostKeys: [key], credentials: { secretId } },
    });
  }
  return parseInventory(
    { appliances, deploy: { dynamoDbPrefixListId: 'pl-02cd2c6b' } },
    `${n}-appliance fleet`,
  );
}

/** A readable bill. */
export function formatEstimate(e: CostEstimate): string {
  const width = Math.max(...e.lines.map((l) => l.item.length));
  const out = e.lines.map((l) => `${l.item.padEnd(width)}  $${l.usd.toFixed(2).padStart(9)}  ${l.basis}`);
  out.push(`${'Total'.padEnd(width)}  $${e.total.toFixed(2).padStart(9)}  per month, us-east-1 list prices`);
  out.push(
    `${'Without endpoints'.padEnd(width)}  $${e.totalWithoutEndpoints.toFixed(2).padStart(9)}  (a VPC whose NAT or endpoints you already pay)`,
  );
  out.push(
    `${'Per appliance'.padEnd(width)}  $${(e.total / Math.max(1, e.appliances)).toFixed(3).padStart(9)}  (${e.appliances} appliances)`,
  );
  return out.join('\n');
}
