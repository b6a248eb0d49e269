import {
  CHECKS,
  evaluateFindings,
  type FindingsInput,
  type FindingsMemory,
  SUMMARY_MAX,
} from '../../../shared/findings';
import {
  cmd,
  configObs,
  cpqListener,
  ev,
  failProbe,
  grep,
  inventory,
  listenerObs,
  NOW,
  okProbe,
  read,
  row,
  showconfig,
  sslconfig,
  status,
  tls,
  tophosts,
  tophostsRaw,
} from './builders';

const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const backlog = (active: number, down: boolean) => {
  const rows = [row('the.cpq.host', active, down)];
  return cmd(tophosts(rows), tophostsRaw(rows));
};
const esaRead = (active: number, down: boolean) =>
  read({
    status: cmd(status()),
    'tophosts 1': backlog(active, down),
    grep: grep([
      ev('connection_error', '11:59:00', {
        dcid: 5,
        address: '10.0.0.10',
        port: 7025,
        domain: 'the.cpq.host',
        reason: 'network error',
        details: 'connection refused',
      }),
    ]),
  });
const healthyEverywhere = () => ['sma1', 'esa1', 'esa2'].map((a) => listenerObs(a, okProbe()));

function input(over: Partial<FindingsInput>): FindingsInput {
  return { inventory: inventory(), now: NOW, listener: [], config: [], ...over };
}

describe('the SMA is down: one page, not one per ESA', () => {
  const refused = failProbe('connect_refused', 'connect');

  test('the ESAs backing up toward it are folded into the SMA finding', () => {
    // Prepare: the SMA refuses; both ESAs see the.cpq.host down and connection errors.
    const out = evaluateFindings(
      input({
        listener: [
          listenerObs('sma1', refused),
          listenerObs('esa1', okProbe()),
          listenerObs('esa2', okProbe()),
        ],
        config: [
          configObs('esa1', esaRead(120, true)),
          configObs('esa2', esaRead(80, true)),
          configObs(
            'sma1',
            read({
              status: cmd(
                status({
                  variant: 'sma',
                  systemStatus: 'Receiving Suspended',
                  online: false,
                  receivingSuspended: true,
                }),
              ),
            }),
          ),
        ],
      }),
    );
    // Assess
    expect(out.findings.map((f) => f.id)).toEqual(['sma1/cpq_listener_refused']);
    const root = out.findings[0]!;
    expect(root.evidence).toContain('paths affected: esa1->sma1, esa2->sma1');
    expect(root.evidence).toEqual(
      expect.arrayContaining([
        'also explains sma1/listeners_suspended: sma1: status reports receiving suspended; CPQ refuses connections',
        'also explains esa1/cpq_queue_backlog: esa1: the.cpq.host down, 120 active recipients',
        'also explains esa2/cpq_queue_backlog: esa2: the.cpq.host down, 80 active recipients',
      ]),
    );
    expect(out.explained).toEqual([
      { id: 'esa1/cpq_connection_errors', by: 'sma1/cpq_listener_refused' },
      { id: 'esa1/cpq_queue_backlog', by: 'sma1/cpq_listener_refused' },
      { id: 'esa2/cpq_connection_errors', by: 'sma1/cpq_listener_refused' },
      { id: 'esa2/cpq_queue_backlog', by: 'sma1/cpq_listener_refused' },
      { id: 'sma1/listeners_suspended', by: 'sma1/cpq_listener_refused' },
    ]);
    // Folded ids are left untouched by the alerts engine: not in `checked` either.
    for (const e of out.explained) expect(out.checked).not.toContain(e.id);
    const paths = Object.fromEntries(out.paths.map((p) => [p.id, [p.state, p.findings]]));
    expect(paths).toEqual({
      'esa1->sma1': ['down', ['sma1/cpq_listener_refused']],
      'sma1->esa1': ['up', []],
      'esa2->sma1': ['down', ['sma1/cpq_listener_refused']],
      'sma1->esa2': ['up', []],
    });
  });

  test('a shard asks only for the paths into its own listeners, judged the same', () => {
    const args = {
      listener: [
        listenerObs('sma1', failProbe('connect_refused', 'connect')),
        listenerObs('esa1', okProbe()),
        listenerObs('esa2', okProbe()),
      ],
      config: [],
    };
    const all = evaluateFindings(input(args));
    const mine = evaluateFindings({ ...input(args), pathsInto: new Set(['sma1']) });
    expect(mine.paths.map((p) => p.id)).toEqual(['esa1->sma1', 'esa2->sma1']);
    expect(mine.paths).toEqual(all.paths.filter((p) => p.to === 'sma1'));
    expect(mine.findings).toEqual(all.findings);
  });

  test('an SSH-only cycle right after the failed probe still folds the backlogs and shows the paths down', () => {
    const first = evaluateFindings(input({ listener: [listenerObs('sma1', refused)] }));
    const memory = JSON.parse(JSON.stringify(first.memory)) as FindingsMemory;
    const out = evaluateFindings(
      input({ now: minutes(2), config: [configObs('esa1', esaRead(120, true))], memory }),
    );
    expect(out.findings).toEqual([]);
    expect(out.explained.map((e) => e.id)).toEqual(['esa1/cpq_connection_errors', 'esa1/cpq_queue_backlog']);
    expect(out.paths.find((p) => p.id === 'esa1->sma1')).toMatchObject({
      state: 'down',
      findings: ['sma1/cpq_listener_refused'],
    });
    // No listener id is touched by an SSH-only cycle.
    expect(out.checked.some((id) => id.includes('cpq_listener'))).toBe(false);
  });

  test('a stale probe (older than three probe intervals) explains nothing', () => {
    const first = evaluateFindings(input({ listener: [listenerObs('sma1', refused)] }));
    const out = evaluateFindings(
      input({ now: minutes(10), config: [configObs('esa1', esaRead(120, true))], memory: first.memory }),
    );
    expect(out.findings.map((f) => f.id)).toEqual(['esa1/cpq_queue_backlog', 'esa1/cpq_connection_errors']);
    expect(out.paths.find((p) => p.id === 'esa1->sma1')).toMatchObject({
      state: 'down',
      findings: ['esa1/cpq_queue_backlog'],
    });
  });

  test('anonymous TLS on the SMA folds the ESAs whose outbound lists allow it', () => {
    const anon = failProbe('tls_no_certificate', 'tls', {
      tls: tls({ anonymous: true, cipher: 'ADH-AES256-SHA', certificate: null }),
    });
    const out = evaluateFindings(
      input({
        listener: [listenerObs('sma1', anon)],
        config: [configObs('esa1', read({ sslconfig: cmd(sslconfig('ALL', true)) }))],
      }),
    );
    expect(out.findings.map((f) => f.id)).toEqual(['sma1/cpq_tls_anonymous']);
    expect(out.explained).toEqual([
      { id: 'esa1/outbound_ciphers_allow_anonymous', by: 'sma1/cpq_tls_anonymous' },
    ]);
  });
});

describe('one path down is told apart from the SMA down', () => {
  test('esa2 missing from the SMA RELAYLIST: only esa2->sma1 is down', () => {
    const out = evaluateFindings(
      input({
        listener: healthyEverywhere(),
        config: [
          configObs(
            'sma1',
            read({
              showconfig: cmd(
                showconfig({ listeners: [cpqListener(7025, { hosts: ['10.0.0.21'], networks: [] })] }),
              ),
            }),
          ),
        ],
      }),
    );
    expect(out.findings.map((f) => f.id)).toEqual(['esa2->sma1/cpq_relay_denied']);
    expect(out.explained).toEqual([]);
    expect(Object.fromEntries(out.paths.map((p) => [p.id, p.state]))).toEqual({
      'esa1->sma1': 'up',
      'sma1->esa1': 'up',
      'esa2->sma1': 'down',
      'sma1->esa2': 'up',
    });
    expect(out.paths.find((p) => p.id === 'esa2->sma1')).toMatchObject({
      direction: 'esa_to_sma',
      findings: ['esa2->sma1/cpq_relay_denied'],
      reason: 'sma1: cpq_listener RELAYLIST lacks esa2; HAT rejects it',
    });
  });

  test('an ESA listener down affects the release path only', () => {
    const out = evaluateFindings(
      input({
        listener: [
          listenerObs('sma1', okProbe()),
          listenerObs('esa1', failProbe('connect_timeout', 'connect')),
          listenerObs('esa2', okProbe()),
        ],
      }),
    );
    expect(out.findings.map((f) => f.id)).toEqual(['esa1/cpq_listener_unreachable']);
    expect(out.findings[0]!.evidence).toContain('paths affected: sma1->esa1');
    expect(out.paths.filter((p) => p.state !== 'up').map((p) => p.id)).toEqual(['sma1->esa1']);
  });

  test('a warning on the sending side degrades the path', () => {
    const out = evaluateFindings(
      input({
        listener: healthyEverywhere(),
        config: [configObs('esa1', read({ sslconfig: cmd(sslconfig('ALL', true)) }))],
      }),
    );
    expect(out.paths.find((p) => p.id === 'esa1->sma1')).toMatchObject({
      state: 'degraded',
      findings: ['esa1/outbound_ciphers_allow_anonymous'],
    });
  });

  test('no probe and no finding: unknown', () => {
    const out = evaluateFindings(input({}));
    expect(out.paths.map((p) => p.state)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
    expect(out.paths[0]!.reason).toBe("no recent probe of sma1's CPQ listener");
  });
});

describe('checked: what a cycle may recover', () => {
  test('a probe-only cycle checks only listener ids; an SSH-only cycle only SSH/config/fleet ids', () => {
    const probeOnly = evaluateFindings(input({ listener: healthyEverywhere() }));
    expect(probeOnly.checked.every((id) => id.split('/')[1]!.startsWith('cpq_'))).toBe(true);
    expect(probeOnly.checked).not.toContain('esa1/cpq_queue_backlog');
    const sshOnly = evaluateFindings(input({ config: [configObs('esa1', esaRead(0, false))] }));
    expect(
      sshOnly.checked.some((id) => id.includes('cpq_listener') || id.includes('cpq_tls_anonymous')),
    ).toBe(false);
    expect(sshOnly.checked).toContain('esa1/cpq_queue_backlog');
  });

  test('every finding id is in checked, and checked is sorted without duplicates', () => {
    const out = evaluateFindings(
      input({
        listener: [
          listenerObs('sma1', okProbe({ warnings: ['weak_cipher'] })),
          listenerObs('esa1', failProbe('connect_refused', 'connect')),
        ],
        config: [configObs('esa2', esaRead(600, false))],
      }),
    );
    for (const f of out.findings) expect(out.checked).toContain(f.id);
    expect(out.checked).toEqual([...new Set(out.checked)].sort());
  });
});

describe('output shape', () => {
  const busy = () =>
    evaluateFindings(
      input({
        listener: [
          listenerObs('sma1', okProbe({ warnings: ['cert_expiring'], tls: tls() })),
          listenerObs('esa1', failProbe('connect_refused', 'connect')),
        ],
        config: [
          configObs('esa2', esaRead(70, false)),
          configObs('sma1', read({ grep: grep([ev('application_fault', '11:00:00', { text: 'fault' })]) })),
          configObs('esa1', read({}, { code: 'auth_failed', status: 'critical' })),
        ],
      }),
    );

  test('findings sorted by severity then id', () => {
    expect(busy().findings.map((f) => [f.severity, f.id])).toEqual([
      ['critical', 'esa1/cpq_listener_refused'],
      ['warning', 'esa1/ssh_auth_failed'],
      ['warning', 'esa2/cpq_connection_errors'],
      ['warning', 'esa2/cpq_queue_backlog'],
      ['warning', 'sma1/application_fault'],
      ['warning', 'sma1/cpq_cert_expiring'],
    ]);
  });

  test('every finding: id = subject/check, one-line summary naming the appliance, evidence, fix, runbook', () => {
    for (const f of busy().findings) {
      expect(CHECKS).toContain(f.check);
      expect(f.id).toBe(`${f.path ?? f.appliance}/${f.check}`);
      expect(f.summary).toContain(f.appliance);
      expect(f.summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
      expect(f.summary).not.toMatch(/\n/);
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.remediation.length).toBeGreaterThan(0);
      expect(f.runbook).toBe(f.check);
    }
  });

  test('long summaries are cut to one line under 90 characters', () => {
    const banner = `554 ${'x'.repeat(200)}`;
    const out = evaluateFindings(
      input({ listener: [listenerObs('sma1', failProbe('banner_rejected', 'banner', { banner }))] }),
    );
    expect(out.findings[0]!.summary.length).toBe(SUMMARY_MAX);
    expect(out.findings[0]!.summary.endsWith('…')).toBe(true);
  });

  test('memory is JSON; parts a cycle did not touch are carried over', () => {
    const first = busy();
    expect(JSON.parse(JSON.stringify(first.memory))).toEqual(first.memory);
    expect(Object.keys(first.memory.queues)).toEqual(['esa2/the.cpq.host']);
    expect(Object.keys(first.memory.logs).sort()).toEqual(['esa2', 'sma1']);
    const probeOnly = evaluateFindings(
      input({ now: minutes(1), listener: healthyEverywhere(), memory: first.memory }),
    );
    expect(probeOnly.memory.queues).toEqual(first.memory.queues);
    expect(probeOnly.memory.logs).toEqual(first.memory.logs);
    expect(probeOnly.memory.listeners.esa1!.down).toEqual([]);
  });

  test('a memory of another version is ignored', () => {
    const out = evaluateFindings(input({ memory: { version: 2 } as unknown as FindingsMemory }));
    expect(out.memory).toEqual({ version: 1, queues: {}, logs: {}, listeners: {}, anonymousOutbound: [] });
  });
});

describe('an ESA whose outbound list allows anonymous suites: one page, on the cause', () => {
  const anonymousRead = () =>
    read({
      status: cmd(status()),
      sslconfig: cmd(sslconfig('aNULL:HIGH:MEDIUM:-SSLv2', true)),
      grep: grep([
        ev('delivery_connection', '11:59:00', {
          dcid: 7,
          interface: '10.0.0.21',
          address: '10.0.0.10',
          port: 7025,
        }),
        ev('tls_failed', '11:59:01', { dcid: 7, reason: 'verify error: no certificate from server' }),
        ev('tls_required_failed', '11:59:01', { dcid: 7 }),
      ]),
    });
  const anonymousProbe = () =>
    failProbe('tls_no_certificate', 'tls', {
      tls: tls({ cipher: 'ADH-AES256-GCM-SHA384', anonymous: true, certificate: null }),
    });

  test('the log failures and the anonymous path fold into the cipher-list finding, raised to critical', () => {
    // Prepare: esa1's list allows aNULL, its mail_logs show the failures, and the probe offering
    // esa1's list to sma1 negotiated an anonymous suite while esa2's did not.
    const out = evaluateFindings(
      input({
        listener: [
          listenerObs('sma1', anonymousProbe(), { from: 'esa1' }),
          listenerObs('sma1', okProbe(), { from: 'esa2' }),
        ],
        config: [configObs('esa1', anonymousRead())],
      }),
    );
    // Assess: one finding pages, critical, with the folded ones as evidence.
    const ids = out.findings.map((f) => f.id);
    expect(ids).toContain('esa1/outbound_ciphers_allow_anonymous');
    expect(ids).not.toContain('esa1/cpq_tls_log_failures');
    expect(ids).not.toContain('esa1->sma1/cpq_tls_anonymous');
    const root = out.findings.find((f) => f.id === 'esa1/outbound_ciphers_allow_anonymous')!;
    expect(root.severity).toBe('critical');
    expect(root.evidence.some((e) => e.startsWith('also explains esa1/cpq_tls_log_failures'))).toBe(true);
    expect(root.evidence.some((e) => e.startsWith('also explains esa1->sma1/cpq_tls_anonymous'))).toBe(true);
    expect(out.explained).toEqual(
      expect.arrayContaining([
        { id: 'esa1/cpq_tls_log_failures', by: 'esa1/outbound_ciphers_allow_anonymous' },
        { id: 'esa1->sma1/cpq_tls_anonymous', by: 'esa1/outbound_ciphers_allow_anonymous' },
      ]),
    );
    expect(out.checked).not.toContain('esa1->sma1/cpq_tls_anonymous');
    expect(out.memory.anonymousOutbound).toEqual(['esa1']);
  });

  test('a probe-only cycle keeps the anonymous path folded while the last read said so', () => {
    const first = evaluateFindings(input({ config: [configObs('esa1', anonymousRead())] }));
    const probeOnly = evaluateFindings(
      input({
        listener: [
          listenerObs('sma1', anonymousProbe(), { from: 'esa1' }),
          listenerObs('sma1', okProbe(), { from: 'esa2' }),
        ],
        memory: first.memory,
      }),
    );
    expect(probeOnly.findings.map((f) => f.id)).not.toContain('esa1->sma1/cpq_tls_anonymous');
    expect(probeOnly.checked).not.toContain('esa1->sma1/cpq_tls_anonymous');
  });

  test('once a read shows the list fixed, an anonymous path pages on its own', () => {
    const first = evaluateFindings(input({ config: [configObs('esa1', anonymousRead())] }));
    const fixed = evaluateFindings(
      input({
        config: [
          configObs('esa1', read({ status: cmd(status()), sslconfig: cmd(sslconfig('HIGH:-aNULL', false)) })),
        ],
        memory: first.memory,
      }),
    );
    expect(fixed.memory.anonymousOutbound).toEqual([]);
    const later = evaluateFindings(
      input({
        listener: [
          listenerObs('sma1', anonymousProbe(), { from: 'esa1' }),
          listenerObs('sma1', okProbe(), { from: 'esa2' }),
        ],
        memory: fixed.memory,
      }),
    );
    expect(later.findings.map((f) => f.id)).toContain('esa1->sma1/cpq_tls_anonymous');
  });
});
