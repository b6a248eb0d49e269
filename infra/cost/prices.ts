/**
 * Every price and every measured figure the monthly estimate uses, in ONE place (docs/deploy.md's
 * cost table and `cpq-monitor cost` both come from here). Prices: AWS list prices for us-east-1,
 * without free tiers, as published on the pricing pages named beside each (read 2025-06; they
 * change: check them). Measured figures name the benchmark command that produced them.
 */

/** Hours in AWS's monthly basis for hourly prices; minutes follow from it. */
export const HOURS_PER_MONTH = 730;

/** us-east-1 list prices in USD. */
export const PRICES = {
  /** https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-s tier). */
  lambdaGbSecondArm: 0.0000133334,
  /** https://aws.amazon.com/lambda/pricing/ */
  lambdaPerMillionRequests: 0.2,
  /** https://aws.amazon.com/cloudwatch/pricing/ custom metrics: first 10,000 metrics. */
  metricMonthFirst10k: 0.3,
  /** Same page: the next 240,000 metrics. */
  metricMonthNext240k: 0.1,
  /** Same page: logs ingestion (standard class; Lambda logs are billed as vended logs, $0.50 first tier). */
  logsIngestPerGb: 0.5,
  /** Same page: logs storage (archived), per GB-month; counted uncompressed (an upper bound). */
  logsStoragePerGbMonth: 0.03,
  /** Same page: Logs Insights, per GB scanned (per query; not in the monthly total). */
  logsInsightsPerGbScanned: 0.005,
  /** Same page: standard-resolution alarm, per alarm-month. */
  alarmMonth: 0.1,
  /** Same page: dashboard, per dashboard-month. */
  dashboardMonth: 3,
  /** https://aws.amazon.com/privatelink/pricing/ interface endpoint, per AZ-hour (data processed negligible). */
  interfaceEndpointAzHour: 0.01,
  /** https://aws.amazon.com/kms/pricing/ customer managed key, per month. */
  kmsKeyMonth: 1,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ per million read request units. */
  dynamoDbPerMillionReads: 0.125,
  /** https://aws.amazon.com/secrets-manager/pricing/ per 10,000 API calls. */
  secretsManagerPer10kCalls: 0.05,
  /** Same page: per secret per month (each SSH secret the inventory names is stored for the monitor). */
  secretMonth: 0.4,
} as const;

/**
 * Measured by `npm run bench -- scale --shards 4` (10,000 appliances, 500 SMAs x 19 ESAs, shards of
 * 40 as the stack packs them, lab in its own process on the same 2-core machine, Node 20.20): the
 * mean over the sampled shards of each invocation's wall time projected at the deployed memory's
 * CPU share (max of wall time and CPU / 0.29, as the bench prints it), per appliance; EMF bytes per
 * invocation; record bytes per appliance; the alert store's read units and the memory parts' sizes.
 * Wall time, not CPU, because Lambda bills duration; the lab answers on loopback, so a real network
 * adds its round trips (docs/deploy.md says how the estimate moves with them).
 */
export const MEASURED = {
  bench: 'npm run bench -- scale --shards 4',
  /** Probe invocation wall time per appliance (ms). */
  probeMsPerAppliance: 16.4,
  /** SSH invocation wall time per appliance (ms). */
  sshMsPerAppliance: 37.3,
  /** One appliance record of a probe (bytes, newline included). */
  probeRecordBytes: 313,
  /** One appliance record of an SSH read (bytes, newline included). */
  sshRecordBytes: 198,
  /** EMF lines of one probe invocation (bytes): the fleet set; grows ~4 B per latency value. */
  probeEmfBytes: 2201,
  /** EMF lines of one SSH invocation (bytes). */
  sshEmfBytes: 1722,
  /**
   * DynamoDB read units of the alert store per appliance per run: one Query of the appliance index
   * per appliance (eventually consistent, nothing open: half a unit). The bench meters the calls
   * with DynamoDB's rounding rules (infra/cost/read-units.ts): 20 units per shard of 40.
   */
  alertReadUnitsPerAppliance: 0.5,
  /** The probe cycle's memory part, per appliance of its shard (bytes; 2,299 B per shard of 40). */
  probeMemoryBytesPerAppliance: 57.5,
  /** The SSH cycle's memory part, per appliance of its shard (bytes; 10,113 B per shard of 40). */
  sshMemoryBytesPerAppliance: 252.8,
} as const;

/** What the estimate assumes where nothing was measured; each one named in docs/deploy.md. */
export const ASSUMED = {
  /** Lambda's START/END/REPORT lines and the `cycle done` summary, per invocation (bytes). */
  platformLogBytesPerInvocation: 700,
  /** EMF of one opted-in appliance's per-appliance metrics, per run (bytes). */
  applianceEmfBytesPerRun: 350,
  /**
   * Read units per invocation for the operators' items: two consistent GetItems of the silences
   * and the acknowledgements, one unit each while each stays under 4 KB (about 20 entries).
   */
  operatorReadUnitsPerInvocation: 2,
  /** Watchdog alarms: 4 per cycle, pages failed per cycle, the failure queue, the topic's failed notifications, the alarm relay. */
  alarms: 13,
  /**
   * Dashboards: one, constant in the fleet size (the overview, with the per-appliance drill-down
   * as Logs Insights widgets on it); each further dashboard adds its monthly price.
   */
  dashboards: 1,
  /**
   * How long Lambda keeps one execution environment (and its secret cache) even when invoked every
   * few minutes. Not documented by AWS; environments are observed to be recycled after a few hours.
   * The secret cache cannot outlive it, so the estimate caps the cache lifetime here.
   */
  containerLifetimeMinutes: 120,
} as const;

/**
 * Fleet metrics written by default (docs/metrics.md): 9 x 2 roles + PathsDown x 2 + FindingsOpen x 6
 * + MonitorHeartbeat x 2 + PagesSent x 2 + PagesFailed x 2 + OperatorEntriesDropped x 2.
 */
export const FLEET_METRIC_COUNT = 9 * 2 + 2 + 6 + 2 + 2 + 2 + 2;
/** Per-appliance metrics of an opted-in appliance: `standard`, and `detailed` (5 phase latencies more). */
export const APPLIANCE_METRIC_COUNT = { standard: 7, detailed: 12 } as const;
