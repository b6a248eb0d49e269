import type { Template } from 'aws-cdk-lib/assertions';
import { deployableFleet } from '../../bench/fleet';
import { APPLIANCE_PATTERN } from '../../infra/constructs/dashboard-names';
import { exampleInventory, synth } from './fixtures';

type Widget = {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; markdown?: string; query?: string; yAxis?: unknown };
};
type Body = { widgets: Widget[]; variables?: Record<string, unknown>[] };

/** The dashboard's body text (CloudFormation tokens as TOKEN) and its parsed JSON. */
function dashboard(template: Template): { text: string; body: Body } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const join = (dashboards[0]!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })[
    'Fn::Join'
  ][1];
  const text = join.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return { text, body: JSON.parse(text) as Body };
}

const titled = (body: Body, pattern: RegExp) =>
  body.widgets.filter((w) => pattern.test(w.properties.title ?? ''));

describe('dashboard', () => {
  const example = dashboard(synth(exampleInventory()).template);

  it('answers "is quarantine flowing everywhere?" from fleet metrics', () => {
    const glance = titled(example.body, /^Is quarantine flowing/)[0]!;
    const expressions = JSON.stringify(glance.properties.metrics);
    for (const metric of [
      'PathsDown',
      'ListenersDown',
      'ListenersAnonymousTls',
      'CertificatesExpiring',
      'SshReadFailures',
      'SystemsNotOnline',
      'QueueBacklogs',
    ]) {
      expect(expressions).toContain(`MetricName=\\"${metric}\\"`);
    }
    // Summed over every shard's series, never one series per appliance.
    expect(expressions).toMatch(
      /SUM\(SEARCH\('\{\\"CPQMonitor\\",Role\} MetricName=\\"ListenersDown\\"', 'Sum', 60\)\)/,
    );
    expect(example.text).not.toContain('"Appliance","');
  });

  it('counts open findings as a fleet total over both cycles, not the largest shard', () => {
    const findings = JSON.stringify(
      titled(example.body, /^Open findings in the fleet/)[0]!.properties.metrics,
    );
    for (const severity of ['critical', 'warning', 'info']) {
      expect(findings).toContain(`Cycle=\\"probe\\" Severity=\\"${severity}\\"', 'Sum', 300`);
      expect(findings).toContain(`Cycle=\\"ssh\\" Severity=\\"${severity}\\"', 'Sum', 300`);
    }
    // A probe shard writes 5 times in the 5-minute SSH period: its sum is divided by 5.
    expect(findings).toContain(`/ 5 + FILL(`);
    expect(findings).not.toContain('Maximum');
  });

  it('lets certificate days go below zero (expired) and lists the soonest certificates first', () => {
    const days = titled(example.body, /^Certificate days remaining/)[0]!;
    expect(JSON.stringify(days.properties.yAxis)).not.toContain('"min"');
    expect(JSON.stringify(days.properties.metrics)).toContain('MIN(SEARCH(');
    const soonest = titled(example.body, /^Certificates expiring, soonest first/)[0]!;
    expect(soonest.properties.query).toMatch(/stats min\(certDays\) as days by appliance\n\| sort days asc/);
  });

  it('shows every shard heartbeat, queue backlogs, SSH read failures and pages from constant widgets', () => {
    const shards = titled(example.body, /^Heartbeat per shard/)[0]!;
    expect(shards.type).toBe('log');
    expect(shards.properties.query).toContain('by cycle, shard.index');
    expect(titled(example.body, /^Queue backlogs/)).toHaveLength(1);
    expect(titled(example.body, /^SSH read failures/)).toHaveLength(1);
    expect(JSON.stringify(titled(example.body, /^Pages sent and failed/)[0]!.properties.metrics)).toContain(
      'PagesFailed',
    );
  });

  it('drills down into any appliance with a dashboard variable over its log records', () => {
    expect(example.body.variables).toEqual([
      expect.objectContaining({
        type: 'pattern',
        pattern: APPLIANCE_PATTERN,
        inputType: 'input',
        defaultValue: 'sma1.mail.example.com',
      }),
    ]);
    const drill = titled(example.body, new RegExp(`^${APPLIANCE_PATTERN}: `));
    expect(drill.map((w) => w.properties.title)).toEqual(
      expect.arrayContaining([
        `${APPLIANCE_PATTERN}: handshake phases (ms)`,
        `${APPLIANCE_PATTERN}: certificate days remaining (negative = expired)`,
        `${APPLIANCE_PATTERN}: probes, latest first`,
        `${APPLIANCE_PATTERN}: queue active recipients`,
        `${APPLIANCE_PATTERN}: SSH reads, latest first`,
      ]),
    );
    for (const w of drill.filter((x) => x.type === 'log')) {
      expect(w.properties.query).toContain(`appliance = "${APPLIANCE_PATTERN}"`);
      expect(w.properties.query).toContain('record = "appliance"');
    }
  });

  it('is the same size for 10 and 10,000 appliances', () => {
    const small = dashboard(synth(deployableFleet(10)).template).text;
    const large = dashboard(synth(deployableFleet(10_000)).template).text;
    const widgets = (t: string) => (JSON.parse(t) as Body).widgets.length;
    expect(widgets(large)).toBe(widgets(small));
    // Only the figures in the header text differ (appliance and shard counts).
    expect(Math.abs(large.length - small.length) / small.length).toBeLessThan(0.01);
  });
});
