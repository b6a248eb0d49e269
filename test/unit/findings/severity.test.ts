/** Severity order: one rank for the findings' sort, the folding of incidents and the alerts' escalations. */
import { sortFindings } from '../../../shared/findings/format';
import { type Finding, type Severity, severityRank, worstSeverity } from '../../../shared/findings/types';

function finding(id: string, severity: Severity): Finding {
  return {
    id,
    appliance: 'esa1',
    check: 'x',
    severity,
    summary: id,
    evidence: [],
    remediation: [],
    runbook: 'x',
  };
}

describe('severityRank', () => {
  it('ranks critical above warning above info', () => {
    expect(severityRank('critical')).toBeGreaterThan(severityRank('warning'));
    expect(severityRank('warning')).toBeGreaterThan(severityRank('info'));
  });
});

describe('worstSeverity', () => {
  it.each([
    [['info', 'critical', 'warning'], 'critical'],
    [['warning', 'info'], 'warning'],
    [['info'], 'info'],
    [[], undefined],
  ] as const)('of %j is %s', (list, worst) => {
    expect(worstSeverity(list)).toBe(worst);
  });
});

describe('sortFindings', () => {
  it('puts the most severe first, then orders by id', () => {
    const sorted = sortFindings([
      finding('b/x', 'info'),
      finding('c/x', 'critical'),
      finding('a/x', 'warning'),
      finding('a/y', 'critical'),
    ]);
    expect(sorted.map((f) => f.id)).toEqual(['a/y', 'c/x', 'a/x', 'b/x']);
  });
});
