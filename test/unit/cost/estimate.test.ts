import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  costFleet,
  estimateMonthlyCost,
  metricsPrice,
  readUnitsPerInvocation,
  secretFetchesPerRun,
  secretMissRate,
} from '../../../infra/cost/estimate';
import { FLEET_METRIC_COUNT, PRICES } from '../../../infra/cost/prices';
import { deployProblems } from '../../../infra/deploy-plan';
import { InventoryError, loadInventory } from '../../../shared/inventory/load';
import { cpqMonitor } from '../../helpers/run-cli';

const ROOT = join(__dirname, '../../..');
const line = (e: ReturnType<typeof estimateMonthlyCost>, item: string) =>
  e.lines.find((l) => l.item === item)!;

describe('monthly cost estimate', () => {
  it('prices custom metrics in CloudWatch tiers ($0.30 for the first 10,000, $0.10 beyond)', () => {
    expect(metricsPrice(28)).toBeCloseTo(8.4);
    expect(metricsPrice(10_000)).toBeCloseTo(3000);
    expect(metricsPrice(10_010)).toBeCloseTo(3001);
  });

  it('keeps the metrics line constant from 10 to 10,000 appliances by default', () => {
    const small = line(estimateMonthlyCost(costFleet(10)), 'Custom metrics');
    const large = line(estimateMonthlyCost(costFleet(10_000)), 'Custom metrics');
    expect(large.usd).toBe(small.usd);
    expect(large.usd).toBeCloseTo(FLEET_METRIC_COUNT * PRICES.metricMonthFirst10k);
  });

  it('charges 7 metrics per opted-in appliance (12 at detailed)', () => {
    const base = costFleet(100);
    const on = { ...base, monitor: { ...base.monitor, applianceMetrics: true } };
    const detailed = { ...on, monitor: { ...on.monitor, metricsDetail: 'detailed' as const } };
    const m = (inv: typeof base) => line(estimateMonthlyCost(inv), 'Custom metrics').usd;
    expect(m(on) - m(base)).toBeCloseTo(100 * 7 * 0.3);
    expect(m(detailed) - m(base)).toBeCloseTo(100 * 12 * 0.3);
  });

  it('adds up its lines, and leaves the interface endpoints out of the second total', () => {
    const e = estimateMonthlyCost(costFleet(100));
    expect(e.total).toBeCloseTo(e.lines.reduce((s, l) => s + l.usd, 0));
    // SNS and Secrets Manager (the fleet reads over SSH), in both zones of the stack's own VPC.
    expect(e.total - e.totalWithoutEndpoints).toBeCloseTo(2 * 2 * 730 * 0.01);
  });

  it('prices the endpoints interfaceEndpointsFor and endpointAzCount give (one zone, no SSH)', () => {
    const base = costFleet(100);
    const oneAz = { ...base, deploy: { ...base.deploy!, endpointAzs: 1 } };
    const noSsh = { ...base, appliances: base.appliances.map(({ ssh: _s, ...a }) => a) } as typeof base;
    const ep = (inv: typeof base) => line(estimateMonthlyCost(inv), 'Interface endpoints').usd;
    expect(ep(oneAz)).toBeCloseTo(2 * 1 * 730 * 0.01);
    expect(ep(noSsh)).toBeCloseTo(1 * 2 * 730 * 0.01);
    expect(line(estimateMonthlyCost(noSsh), 'Secrets Manager API').usd).toBe(0);
  });

  it('fetches a secret once per cache lifetime per environment, nearly every run when few shards share it', () => {
    // 100 appliances: 3 SSH shards; a 60-minute cache over 5-minute runs is 12 runs per fetch.
    expect(secretMissRate(costFleet(100))).toBeCloseTo(1 / 12);
    const own = line(estimateMonthlyCost(costFleet(100, 'per-appliance')), 'Secrets Manager API');
    expect(own.usd).toBeCloseTo(((100 * 8760) / 12 / 10_000) * 0.05);
    // One secret per SMA group: each of the 5 lives in one shard.
    const cluster = line(estimateMonthlyCost(costFleet(100, 'per-cluster')), 'Secrets Manager API');
    expect(cluster.usd).toBeCloseTo(((5 * 8760) / 12 / 10_000) * 0.05);
    // The old 5-minute cache: every run fetches every secret.
    const base = costFleet(100, 'per-appliance');
    const short = { ...base, monitor: { ...base.monitor, secretCacheMinutes: 5 } };
    expect(secretFetchesPerRun(short)).toBe(100);
    // A longer cache than an execution environment lives is capped by the environment.
    const long = { ...base, monitor: { ...base.monitor, secretCacheMinutes: 1440 } };
    expect(secretMissRate(long)).toBeCloseTo(5 / 120);
    // 10,000 appliances in 250 shards: an environment rarely sees the same shard again...
    const big = costFleet(10_000, 'per-appliance');
    expect(secretMissRate(big)).toBeGreaterThan(0.9);
    expect(secretFetchesPerRun(big) / 10_000).toBeGreaterThan(0.9);
    // ...but a secret every shard uses is cached in every environment: once per 12 runs each.
    expect(secretFetchesPerRun(costFleet(10_000, 'fleet'))).toBeCloseTo(250 / 12);
  });

  it('counts $0.40 per secret the inventory names', () => {
    for (const [layout, secrets] of [
      ['fleet', 1],
      ['per-cluster', 50],
      ['per-appliance', 1000],
    ] as const) {
      expect(line(estimateMonthlyCost(costFleet(1000, layout)), 'Secrets Manager storage').usd).toBeCloseTo(
        secrets * PRICES.secretMonth,
      );
    }
  });

  it('prices the DynamoDB reads a shard makes: index queries, both memory parts, the operators', () => {
    // A shard of 40: 41 queries at half a unit, memory 2.3 kB + 10.1 kB (1 + 3 units), 2 operator items.
    expect(readUnitsPerInvocation(40)).toBeCloseTo(20.5 + 1 + 3 + 2);
    const e = estimateMonthlyCost(costFleet(1000));
    // 25 shards of 40, 43,800 probe runs and 8,760 SSH runs each.
    const units = 25 * (43_800 + 8_760) * readUnitsPerInvocation(40);
    expect(line(e, 'DynamoDB reads').usd).toBeCloseTo((units / 1e6) * PRICES.dynamoDbPerMillionReads);
  });

  it.each(['fleet', 'per-cluster'] as const)(
    'meets the targets with a %s secret (docs/deploy.md)',
    (layout) => {
      const e100 = estimateMonthlyCost(costFleet(100, layout));
      const e1k = estimateMonthlyCost(costFleet(1000, layout));
      const e10k = estimateMonthlyCost(costFleet(10_000, layout));
      expect(e100.totalWithoutEndpoints).toBeLessThanOrEqual(20);
      expect(e100.total).toBeLessThanOrEqual(50);
      expect(e1k.totalWithoutEndpoints).toBeLessThanOrEqual(60);
      expect((e10k.totalWithoutEndpoints - e1k.totalWithoutEndpoints) / 9000).toBeLessThanOrEqual(0.05);
    },
  );

  it('is what docs/deploy.md shows for 10, 100, 1,000 and 10,000 appliances', () => {
    const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const money = (x: number) =>
      `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    for (const n of [10, 100, 1000, 10_000]) {
      for (const secrets of ['fleet', 'per-cluster', 'per-appliance'] as const) {
        const e = estimateMonthlyCost(costFleet(n, secrets));
        expect(doc).toContain(money(e.totalWithoutEndpoints));
        expect(doc).toContain(money(e.total));
      }
      const fleet = estimateMonthlyCost(costFleet(n));
      for (const l of fleet.lines) expect(doc).toContain(money(l.usd));
    }
  });

  it('`cpq-monitor cost --json` prints the same estimate', async () => {
    const file = join(ROOT, 'config/example.yaml');
    const run = await cpqMonitor(['cost', '--inventory', file, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(
      JSON.parse(JSON.stringify(estimateMonthlyCost(loadInventory(file)))),
    );
  });

  it('`cpq-monitor cost` refuses an inventory that cdk synth refuses, with the same message (exit 3)', async () => {
    // The lab's inventory reads SSH passwords from the environment and names loopback hosts by DNS
    // name in places: fine for `check`, not deployable.
    const file = join(ROOT, 'config/lab.yaml');
    const problems = deployProblems(loadInventory(file));
    expect(problems.length).toBeGreaterThan(0);
    const r = await cpqMonitor(['cost', '--inventory', file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(new InventoryError(file, problems).message);
  });
});
