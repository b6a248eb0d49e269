/** The exit code and summary line of a cycle as `check` prints them. */
import { exitCodeOfCycle, renderCycle } from '../../../cli/cycle-report';
import type { CycleReport } from '../../../shared/cycle/run';
import type { Finding, Severity } from '../../../shared/findings/types';

function finding(severity: Severity): Finding {
  return {
    id: `sma1/check_${severity}`,
    appliance: 'sma1',
    check: `check_${severity}`,
    severity,
    summary: `a ${severity} finding`,
    evidence: [],
    remediation: [],
    runbook: 'docs/runbook.md#x',
  } as unknown as Finding;
}

describe('exitCodeOfCycle', () => {
  it.each([
    [[], [], 0],
    [['info'], [], 0],
    [['warning', 'info'], [], 1],
    [['warning', 'critical'], [], 2],
    // Work skipped for the deadline: what was not looked at is unknown, not ok or merely warning.
    [[], ['probe sma1'], 3],
    [['warning'], ['ssh esa1'], 3],
    // A critical finding stays critical: it is known to be broken.
    [['critical'], ['ssh esa1'], 2],
  ] as Array<[Severity[], string[], number]>)(
    'findings %j, skipped %j: exit %i',
    (severities, skipped, code) => {
      expect(exitCodeOfCycle({ findings: severities.map(finding), skipped })).toBe(code);
    },
  );
});

describe('renderCycle', () => {
  const base = {
    kind: 'full',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    appliances: ['sma1'],
    context: [],
    unknownAppliances: [],
    listener: [],
    config: [],
    findings: [],
    explained: [],
    checked: [],
    paths: [],
    alerts: { alerts: [], sent: 0, failed: 0, retried: 0, muted: 0, conflicts: 0, errors: 0 },
    metrics: { data: [], report: { data: 0, entries: 0, requests: 0, calls: 0, retries: 0, errors: [] } },
    problems: [],
  } as unknown as CycleReport;

  it('says every check passed only when nothing was skipped', () => {
    expect(renderCycle({ ...base, skipped: [] })).toContain('no findings: every check passed');
    const late = renderCycle({ ...base, skipped: ['probe sma1', 'ssh sma1'] });
    expect(late).not.toContain('every check passed');
    expect(late).toContain('not done before the deadline: probe sma1, ssh sma1');
    // After Ctrl-C the heading does not blame the deadline.
    const stopped = renderCycle({ ...base, skipped: ['probe sma1 (interrupted)', 'ssh esa1'] });
    expect(stopped).toContain('interrupted or not done in time: probe sma1 (interrupted), ssh esa1');
    expect(stopped).not.toContain('every check passed');
  });
});
