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

/**
 * Secrets Manager calls per secret per SSH run. The cache lives in one Lambda execution environment:
 * a secret is reused for `secretCacheMinutes` (capped by the environment's lifetime), i.e. for L
 * runs. With N shards invoked together, a shard lands on any of N warm environments, so a run finds
 * its secrets cached only if that environment served the same shard within the last L-1 runs:
 * a miss is max(1/L, (1 - 1/N)^(L-1)) (one shard: once per L runs; many shards: nearly every run).
 * Failed logins refetch at once; a fleet with a few wrong passwords adds a call per run each.
 */
export function secretFetchesPerRun(inv: Inventory): number {
  const shards = Math.max(1, cycleShards(inv, 'ssh').length);
  const lifetime = Math.min(inv.monitor.secretCacheMinutes, ASSUMED.containerLifetimeMinutes);
  const runs = Math.max(1, Math.floor(lifetime / cycleIntervalMinutes(inv, 'ssh')));
  return Math.max(1 / runs, (1 - 1 / shards) ** (runs - 1));
}

/** The monthly estimate of an inventory as the stack would deploy it. */
export function estimateMonthlyCost(inv: Inventory): CostEstimate {
  const lines: CostLine[] = [];
  const gbFactor = CYCLE_FUNCTION_SIZING.memoryMb / 1024;
  let requests = 0;
  let gbSeconds = 0;
  let logBytes = 0;
  let readUnits = 0;
  const basis: string[] = [];
  for (const cycle of activeCycles(inv)) {
    const shards = cycleShards(inv, cycle).length;
    const members = cycleAppliances(inv, cycle);
    const runs = runsPerMonth(inv, cycle);
    const msPer = cycle === 'probe' ? MEASURED.probeMsPerAppliance : MEASURED.sshMsPerAppliance;
    const recordBytes = cycle === 'probe' ? MEASURED.probeRecordBytes : MEASURED.sshRecordBytes;
    const emfBytes = cycle === 'probe' ? MEASURED.probeEmfBytes : MEASURED.sshEmfBytes;
    const optedIn = members.filter((a) => applianceMetricsOn(inv, a)).length;
    requests += shards * runs;
    gbSeconds += (members.length * msPer * runs * gbFactor) / 1000;
    logBytes +=
      runs *
      (shards * (emfBytes + ASSUMED.platformLogBytesPerInvocation) +
        members.length * recordBytes +
        optedIn * ASSUMED.applianceEmfBytesPerRun);
    readUnits += members.length * runs * ASSUMED.readUnitsPerAppliancePerRun;
    basis.push(`${cycle}: ${shards} shard(s) x ${fmt(runs)} runs, ${members.length} appliances`);
  }
  lines.push({
    item: 'Lambda requests',
    basis: `${fmt(requests)} invocations (${basis.join('; ')})`,
    usd: (requests / 1e6) * PRICES.lambdaPerMillionRequests,
  });
  lines.push({
    item: 'Lambda duration',
    basis: `${fmt(gbSeconds)} GB-s at ${CYCLE_FUNCTION_SIZING.memoryMb} MB (measured ${MEASURED.probeMsPerAppliance} ms per probed, ${MEASURED.sshMsPerAppliance} ms per read appliance)`,
    usd: gbSeconds * PRICES.lambdaGbSecondArm,
  });

  const probeOnly = cycleAppliances(inv, 'probe').filter((a) => a.ssh === undefined);
  const detail = inv.monitor.metricsDetail;
  let perAppliance = 0;
  for (const a of cycleAppliances(inv, 'probe')) {
    if (!applianceMetricsOn(inv, a)) continue;
    // An appliance without SSH has only the probe metrics: 3 fewer.
    perAppliance += APPLIANCE_METRIC_COUNT[detail] - (probeOnly.includes(a) ? 3 : 0);
  }
  const metrics = FLEET_METRIC_COUNT + perAppliance;
  lines.push({
    item: 'Custom metrics',
    basis: `${FLEET_METRIC_COUNT} fleet + ${perAppliance} per-appliance = ${fmt(metrics)} metrics`,
    usd: metricsPrice(metrics),
  });

  const retentionMonths = (inv.deploy?.logRetentionDays ?? 30) / 30;
  const ingestGb = logBytes / GB;
  lines.push({
    item: 'Logs ingestion',
    basis: `${fmt(ingestGb)} GB of appliance records, EMF and run lines`,
    usd: ingestGb * PRICES.logsIngestPerGb,
  });
  lines.push({
    item: 'Logs storage',
    basis: `${fmt(ingestGb * retentionMonths)} GB kept (${fmt(retentionMonths)} months' retention, uncompressed)`,
    usd: ingestGb * retentionMonths * PRICES.logsStoragePerGbMonth,
  });
  lines.push({
    item: 'Alarms',
    basis: `${ASSUMED.alarms} watchdog alarms`,
    usd: ASSUMED.alarms * PRICES.alarmMonth,
  });
  lines.push({
    item: 'Dashboards',
    basis: `${ASSUMED.dashboards} (the overview with its per-appliance drill-down)`,
    usd: ASSUMED.dashboards * PRICES.dashboardMonth,
  });
  lines.push({ item: 'KMS key', basis: '1 key (the topic)', usd: PRICES.kmsKeyMonth });
  lines.push({
    item: 'DynamoDB reads',
    basis: `${fmt(readUnits)} read units`,
    usd: (readUnits / 1e6) * PRICES.dynamoDbPerMillionReads,
  });
  const secrets = sshSecretIds(inv).length;
  const sshRuns = cycleAppliances(inv, 'ssh').length > 0 ? runsPerMonth(inv, 'ssh') : 0;
  const miss = secretFetchesPerRun(inv);
  const calls = secrets * sshRuns * miss;
  lines.push({
    item: 'Secrets Manager API',
    basis: `${secrets} secret(s) x ${fmt(sshRuns)} SSH runs x ${fmt(miss)} fetches per run (cache ${inv.monitor.secretCacheMinutes} min, ${cycleShards(inv, 'ssh').length} shard(s)) = ${fmt(calls)} calls`,
    usd: (calls / 1e4) * PRICES.secretsManagerPer10kCalls,
  });
  if (createsEndpoints(inv)) {
    const endpoints = interfaceEndpointsFor(inv);
    const azs = endpointAzCount(inv);
    const hours = endpoints.length * azs * HOURS_PER_MONTH;
    lines.push({
      item: 'Interface endpoints',
      basis: `${endpoints.length} endpoint(s) (${endpoints.join(', ')}) x ${azs} AZ(s) x ${HOURS_PER_MONTH} h`,
      usd: hours * PRICES.interfaceEndpointAzHour,
      endpoint: true,
    });
  }
  const total = lines.reduce((s, l) => s + l.usd, 0);
  const totalWithoutEndpoints = lines.filter((l) => !l.endpoint).reduce((s, l) => s + l.usd, 0);
  return {
    appliances: inv.appliances.filter((a) => a.enabled).length,
    lines,
    total,
    totalWithoutEndpoints,
  };
}

/**
 * The fleet docs/deploy.md prices: `n` appliances as SMAs with up to 19 ESAs each, every one with
 * SSH and either its own secret or one secret per SMA and its ESAs; default settings otherwise.
 */
export function costFleet(n: number, secrets: 'per-appliance' | 'per-cluster' = 'per-appliance'): Inventory {
  const key = `SHA256:${'A'.repeat(43)}`;
  const appliances: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const group = Math.floor(i / 20);
    const sma = `sma${group}`;
    const name = i % 20 === 0 ? sma : `esa${group}-${i % 20}`;
    const secretId =
      secrets === 'per-appliance' ? `cpq-monitor/ssh/${name}` : `cpq-monitor/ssh/cluster${group}`;
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
