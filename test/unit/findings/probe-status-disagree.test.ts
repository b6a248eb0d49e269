/**
 * Messages consistent with evidence: every rule runs over combinations where the CPQ probe and
 * `status` disagree, and no finding's summary claims what the same cycle's probe contradicts.
 */
import { evaluateFindings } from '../../../shared/findings/evaluate';
import type { ProbeResult } from '../../../shared/probes/types';
import { cmd, configObs, failProbe, inventory, listenerObs, NOW, okProbe, read, status } from './builders';

const STATUSES = {
  online: status(),
  'receiving suspended': status({
    systemStatus: 'Receiving Suspended',
    online: false,
    receivingSuspended: true,
  }),
  offline: status({
    systemStatus: 'Offline',
    online: false,
    receivingSuspended: true,
    deliverySuspended: true,
  }),
};
const PROBES: Record<string, ProbeResult | null> = {
  connects: okProbe(),
  refused: failProbe('connect_refused', 'connect'),
  'times out': failProbe('connect_timeout', 'connect'),
  'not probed': null,
};

const cases = Object.entries(STATUSES).flatMap(([s, facts]) =>
  Object.entries(PROBES).map(([p, probe]) => [s, p, facts, probe] as const),
);

describe.each(cases)('status %s, probe %s', (_s, p, facts, probe) => {
  const out = evaluateFindings({
    inventory: inventory(),
    now: NOW,
    listener: probe === null ? [] : [listenerObs('sma1', probe)],
    config: [configObs('sma1', read({ status: cmd(facts, 'System status:  x\r\n') }))],
  });
  const sma = [...out.findings.map((f) => f.summary), ...out.findings.flatMap((f) => f.evidence)].filter(
    (l) => l.includes('sma1'),
  );

  it('no summary or evidence line claims the opposite of what the probe saw', () => {
    if (p === 'connects') for (const l of sma) expect(l).not.toMatch(/refuses connections|not probed/);
    if (p === 'refused') for (const l of sma) expect(l).not.toMatch(/still connects|not probed/);
    if (p === 'not probed') for (const l of sma) expect(l).not.toMatch(/refuses connections|still connects/);
  });

  it('listeners_suspended states what status said and what the probe saw', () => {
    const f = out.findings.find((x) => x.check === 'listeners_suspended');
    const explained = out.explained.some((e) => e.id === 'sma1/listeners_suspended');
    if (!facts.receivingSuspended) {
      expect(f).toBeUndefined();
      return;
    }
    if (f === undefined) {
      // Folded into the probe's own finding, whose evidence quotes it.
      expect(explained).toBe(true);
      return;
    }
    expect(f.summary).toContain('status reports receiving suspended; ');
    expect(f.evidence.join('\n')).toContain('System status');
    const said = {
      connects: 'the CPQ probe still connects',
      refused: 'CPQ refuses connections',
      'times out': 'the CPQ probe failed (connect_timeout)',
      'not probed': 'CPQ not probed this cycle',
    }[p];
    expect(f.summary).toContain(said);
  });
});
