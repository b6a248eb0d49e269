/**
 * The number of fleet metrics, counted from what the cycle writes (each distinct name and
 * dimension set is one billed CloudWatch metric), is the number the cost estimate prices and the
 * number docs/metrics.md and docs/deploy.md state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEET_METRIC_COUNT } from '../../../infra/cost/prices';
import { metricsForCycle } from '../../../shared/metrics/from-observations';
import { config, inventory, listener, NOW, probeOk, row, statusFacts, tophosts } from '../metrics/fixtures';

const ROOT = join(__dirname, '../../..');

/** Every fleet metric a deployed fleet writes: both cycles, both roles, every value present. */
function fleetMetricsWritten(): Set<string> {
  const inv = inventory();
  const pages = { sent: 0, failed: 0 };
  const probe = metricsForCycle({
    inventory: inv,
    cycle: 'probe',
    listener: [listener('sma1', probeOk()), listener('esa1', probeOk())],
    config: [],
    findings: [],
    now: NOW,
    pages,
    operatorEntriesDropped: 0,
  });
  const ssh = metricsForCycle({
    inventory: inv,
    cycle: 'ssh',
    listener: [],
    config: [
      config('esa1', { status: statusFacts(true), tophosts: tophosts([row('the.cpq.host', 3)]) }),
      config('sma1', { status: statusFacts(true), tophosts: tophosts([row('the.cpq.release.host', 1)]) }),
    ],
    findings: [],
    now: NOW,
    pages,
    operatorEntriesDropped: 0,
  });
  const keys = [...probe, ...ssh]
    .filter((d) => !('Appliance' in d.dimensions))
    .map((d) => `${d.name}${JSON.stringify(Object.entries(d.dimensions).sort())}`);
  return new Set(keys);
}

describe('fleet metric count', () => {
  const written = fleetMetricsWritten().size;

  it('is what the cost estimate prices', () => {
    expect(written).toBe(FLEET_METRIC_COUNT);
  });

  it('is the only count of fleet metrics docs/metrics.md and docs/deploy.md state', () => {
    const metrics = readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8');
    const deploy = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    // Every way the docs state the fleet's total: "the same N CloudWatch metrics", "N fleet
    // metrics", "= **N metrics, $...", "Custom metrics (N, fixed)".
    const total =
      /same (\d+) CloudWatch metrics|(\d+) fleet metrics|\*\*(\d+) metrics,|Custom metrics \((\d+), fixed\)/g;
    const stated = [...metrics.matchAll(total), ...deploy.matchAll(total)].map((m) =>
      Number(m.slice(1).find((g) => g !== undefined)),
    );
    expect(stated.length).toBeGreaterThanOrEqual(4);
    expect(new Set(stated)).toEqual(new Set([written]));
  });
});
