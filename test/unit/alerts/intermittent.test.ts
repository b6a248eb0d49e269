import {
  type IntermittentMemory,
  type IntermittentPolicy,
  MAX_WINDOWS,
  trackIntermittent,
} from '../../../shared/alerts/intermittent';
import { intermittentId, intermittentOf, parseFindingId } from '../../../shared/findings/ids';
import { finding } from './fixtures';

const ID = 'sma1/cpq_listener_refused';
const POLICY: IntermittentPolicy = { enabled: true, failures: 3, cycles: 6 };

/** Runs a script of cycles (x failing, . passing, - not evaluated) and says, per cycle, R raised / c checked-clear / blank. */
function run(script: string, policy = POLICY, failuresBeforePage = 2) {
  let memory: IntermittentMemory = {};
  const marks: string[] = [];
  const outs: ReturnType<typeof trackIntermittent>[] = [];
  for (const c of script) {
    const out = trackIntermittent({
      prev: memory,
      findings: c === 'x' ? [finding('sma1', 'cpq_listener_refused')] : [],
      checked: c === '-' ? [] : [ID],
      policy,
      failuresBeforePage,
      roleOf: () => 'sma',
    });
    memory = out.memory;
    outs.push(out);
    marks.push(out.findings.length > 0 ? 'R' : out.checked.includes(intermittentId(ID)) ? 'c' : ' ');
  }
  return { marks: marks.join(''), outs, memory };
}

describe('intermittent alert ids', () => {
  it('keep the subject (so the same shard owns them) and name the watched check', () => {
    expect(intermittentId(ID)).toBe('sma1/intermittent.cpq_listener_refused');
    expect(parseFindingId(intermittentId(ID))).toMatchObject({ subject: 'sma1' });
    expect(intermittentOf(intermittentId(ID))).toBe(ID);
    expect(intermittentOf(ID)).toBeUndefined();
    const path = 'esa1->sma1/cpq_tls_anonymous';
    expect(parseFindingId(intermittentId(path)).path).toEqual({ from: 'esa1', to: 'sma1' });
    expect(intermittentOf(intermittentId(path))).toBe(path);
  });
});

describe('trackIntermittent', () => {
  it('raises on the K-th failure of the window when no run reached failuresBeforePage', () => {
    // Third failure in the fifth cycle raises; the alert is held until 6 passes in a row.
    const r = run('x.x.x......');
    expect(r.marks).toBe('ccccRRRRRRc');
  });

  it('never raises for a host key mismatch: its own alert pages on the first failure', () => {
    let memory: IntermittentMemory = {};
    const id = 'esa1/ssh_host_key_mismatch';
    for (const c of 'x.x.x.x.x.') {
      const out = trackIntermittent({
        prev: memory,
        findings: c === 'x' ? [finding('esa1', 'ssh_host_key_mismatch')] : [],
        checked: [id],
        policy: POLICY,
        failuresBeforePage: 2,
        roleOf: () => 'esa',
      });
      memory = out.memory;
      expect(out.findings).toEqual([]);
    }
  });

  it('never raises for a check that fails failuresBeforePage cycles in a row (its own alert pages)', () => {
    expect(run('xx.x.x').marks).not.toContain('R');
    // ... until that run has left the window.
    expect(run('xx....x.x.x').marks.slice(-1)).toBe('R');
  });

  it('holds the alert until N passing cycles in a row, a failure in between restarting the count', () => {
    const r = run('x.x.x..x......');
    // Raised at the 5th cycle; the failure at the 8th keeps it; clear at the 6th pass after it.
    expect(r.marks).toBe('ccccRRRRRRRRRc');
  });

  it('evidence names the count, the window and the causes; severity warning, runbook intermittent', () => {
    const r = run('x.x.x');
    const f = r.outs[4]!.findings[0]!;
    expect(f).toMatchObject({
      id: 'sma1/intermittent.cpq_listener_refused',
      appliance: 'sma1',
      check: 'intermittent',
      severity: 'warning',
      runbook: 'intermittent',
    });
    expect(f.summary).toBe('sma1: cpq_listener_refused failed in 3 of the last 5 cycles, never 2 in a row');
    expect(f.evidence).toEqual([
      'cpq_listener_refused (sma1/cpq_listener_refused): 3 failing of the last 5 cycles; alerting pages after 2 in a row',
      'cycles, oldest first (x failed, . passed): x.x.x',
      'failure: 3x CPQ listener on sma1 refuses connections on port 7025',
    ]);
    expect(f.remediation[0]).toContain('cpq_listener_refused on sma1');
  });

  it('counts only cycles that evaluated the check (an SSH-only cycle does not move a probe window)', () => {
    expect(run('x-.-x-.-x').marks).toBe('c c c c R');
  });

  it('forgets a window once it holds no failure, and carries windows of checks not evaluated', () => {
    const r = run('x......');
    expect(r.memory).toEqual({});
    const carried = trackIntermittent({
      prev: run('x.').memory,
      findings: [],
      checked: [],
      policy: POLICY,
      failuresBeforePage: 2,
      roleOf: () => 'sma',
    });
    expect(carried.memory[ID]?.results).toBe('x.');
  });

  it('never fires at failuresBeforePage 1 (every failure pages by itself)', () => {
    expect(run('x.x.x.x.x.x', POLICY, 1).marks).not.toContain('R');
  });

  it('switched off, it raises nothing and lets an open intermittent alert recover', () => {
    const r = run('x.x.x.x', { ...POLICY, enabled: false });
    expect(r.marks).toBe('ccccccc');
    expect(r.memory).toEqual({});
  });

  it('keeps at most MAX_WINDOWS windows, raised ones first', () => {
    const many = Array.from({ length: MAX_WINDOWS + 50 }, (_, i) =>
      finding(`esa${i}`, 'cpq_listener_refused'),
    );
    const out = trackIntermittent({
      prev: {},
      findings: many,
      checked: [],
      policy: POLICY,
      failuresBeforePage: 2,
      roleOf: () => 'esa',
    });
    expect(Object.keys(out.memory)).toHaveLength(MAX_WINDOWS);
  });
});
