import type { CommandResult, ReadCode, ReadResult } from '../../../shared/asyncos/types';
import {
  emptyMemory,
  evaluateFindings,
  type FindingsMemory,
  READ_CODE_DECISIONS,
} from '../../../shared/findings';
import {
  AT,
  cmd,
  configObs,
  ev,
  grep,
  inventory,
  NOW,
  read,
  row,
  showconfig,
  sslconfig,
  status,
  tophosts,
  tophostsRaw,
} from './builders';

function run(appliance: string, r: ReadResult, memory?: FindingsMemory, inv = inventory()) {
  return evaluateFindings({
    inventory: inv,
    now: NOW,
    listener: [],
    config: [configObs(appliance, r)],
    memory,
  });
}

const SUSPENDED = cmd(
  status({ systemStatus: 'Receiving Suspended', online: false, receivingSuspended: true }),
  'Status as of:   Fri Nov 27 12:00:00 2026\r\nSystem status:  Receiving Suspended\r\n',
);

describe('SSH session codes', () => {
  // A missing secret is judged per credential source, not per appliance (credential-rules.test.ts):
  // no read code raises or evaluates a per-appliance ssh_credentials_unavailable.
  const ROWS: Array<[ReadCode, string | null, string[]]> = [
    ['ok', null, ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed']],
    ['dns_failed', 'ssh_unreachable', ['ssh_unreachable']],
    ['connect_refused', 'ssh_unreachable', ['ssh_unreachable']],
    ['connect_timeout', 'ssh_unreachable', ['ssh_unreachable']],
    ['host_key_mismatch', 'ssh_host_key_mismatch', ['ssh_unreachable', 'ssh_host_key_mismatch']],
    ['auth_failed', 'ssh_auth_failed', ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed']],
    ['session_failed', 'ssh_unreachable', ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed']],
    [
      'command_timeout',
      'ssh_read_incomplete',
      ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
    ],
    [
      'unexpected_output',
      'ssh_read_incomplete',
      ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
    ],
    [
      'unexpected_prompt',
      'ssh_read_incomplete',
      ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed'],
    ],
    // The monitor lacked its own secret: nothing about the appliance was learned.
    ['credentials_unavailable', null, []],
  ];

  test('the table covers every read code', () => {
    expect(ROWS.map((r) => r[0]).sort()).toEqual(Object.keys(READ_CODE_DECISIONS).sort());
  });

  test.each(ROWS)('%s raises %s', (code, check, sshChecked) => {
    // Prepare: the read carries a status that would raise listeners_suspended if it were trusted.
    const failedSession = !['ok', 'command_timeout', 'unexpected_output', 'unexpected_prompt'].includes(code);
    const commands: Record<string, CommandResult> = failedSession ? { status: SUSPENDED } : {};
    const r = read(commands, {
      code,
      status: code === 'ok' ? 'ok' : 'critical',
      message: `session: ${code}`,
    });
    // Act
    const out = run('esa1', r);
    // Assess
    expect(out.findings.map((f) => f.id)).toEqual(check === null ? [] : [`esa1/${check}`]);
    for (const c of ['ssh_unreachable', 'ssh_host_key_mismatch', 'ssh_auth_failed']) {
      expect([c, out.checked.includes(`esa1/${c}`)]).toEqual([c, sshChecked.includes(c)]);
    }
    // A failed session neither fires nor recovers the config rules.
    expect(out.checked.some((id) => id.endsWith('/listeners_suspended'))).toBe(false);
    if (failedSession) expect(out.checked).toEqual(sshChecked.map((c) => `esa1/${c}`).sort());
    if (check !== null) {
      const f = out.findings[0]!;
      expect(f.runbook).toBe(check);
      expect(f.evidence[0]).toContain(`session: ${code}`);
      expect(f.summary.startsWith('esa1: ')).toBe(true);
      // A read that could not complete leaves the monitor blind on part of the appliance.
      if (check === 'ssh_read_incomplete') expect(f.severity).toBe('warning');
    }
  });

  test('fix texts give a `cpq-monitor read` line that works: host, SSH port, user, pinned key, read command names', () => {
    const key = `SHA256:${'P'.repeat(43)}`;
    const inv = inventory({}, [
      { name: 'sma1', role: 'sma', host: '10.0.0.10' },
      {
        name: 'esa1',
        role: 'esa',
        host: '10.0.0.21',
        quarantine: { sma: 'sma1' },
        ssh: { port: 2222, user: 'monitor', hostKeys: [key], credentials: { secretId: 'cpq/esa1' } },
      },
    ]);
    const incomplete = run(
      'esa1',
      read({
        'tophosts active_rcpts': cmd(null, 'garbage', 'unexpected_output'),
        'grep -e "TLS failed" mail_logs': cmd(null, 'garbage', 'unexpected_output'),
      }),
      undefined,
      inv,
    ).findings.find((f) => f.check === 'ssh_read_incomplete')!;
    const line = incomplete.remediation.join('\n');
    expect(line).toContain(
      `cpq-monitor read 10.0.0.21 --port 2222 --user monitor --password-env VAR --host-key ${key} --commands tophosts,mail_logs --json`,
    );
    const missing = run('esa1', read({}, { code: 'credentials_unavailable' }), undefined, inv).findings[0]!;
    expect(missing.id).toBe('monitor:secret:cpq/esa1/ssh_credentials_unavailable');
    expect(missing.remediation[0]).toContain('Secrets Manager secret cpq/esa1');
    expect(missing.summary).not.toContain('refused');
  });

  test('host key mismatch: critical, shows the key seen and the pins, warns about the SMA reads', () => {
    const inv = inventory({}, [
      { name: 'sma1', role: 'sma', host: '10.0.0.10' },
      {
        name: 'esa1',
        role: 'esa',
        host: '10.0.0.21',
        quarantine: { sma: 'sma1' },
        ssh: { user: 'monitor', hostKeys: [`SHA256:${'P'.repeat(43)}`], credentials: { passwordEnv: 'PW' } },
      },
    ]);
    const out = run(
      'esa1',
      read({}, { code: 'host_key_mismatch', hostKey: `SHA256:${'Z'.repeat(43)}` }),
      undefined,
      inv,
    );
    const f = out.findings[0]!;
    expect(f.severity).toBe('critical');
    expect(f.evidence).toContain(`host key presented: SHA256:${'Z'.repeat(43)}`);
    expect(f.evidence).toContain(`pinned: SHA256:${'P'.repeat(43)}`);
    expect(f.evidence.join('\n')).toContain("the SMA's own configuration reads of esa1 will fail");
  });

  test('a command that did not parse is ssh_read_incomplete (warning, never info) and its rules are not evaluated', () => {
    const r = read({ status: cmd(status()), 'tophosts 1': cmd(null, 'garbage', 'unexpected_output') });
    const out = run('esa1', r);
    expect(out.findings.map((f) => [f.id, f.severity])).toEqual([['esa1/ssh_read_incomplete', 'warning']]);
    expect(out.findings[0]!.evidence).toContain('tophosts 1: unexpected_output: unexpected_output');
    expect(out.checked).toContain('esa1/system_not_online');
    expect(out.checked).not.toContain('esa1/cpq_queue_backlog');
  });
});

describe('ssh_read_incomplete summary', () => {
  test('names the cause first, so a long grep pattern cannot push it out of the one-line summary', () => {
    const pattern = 'grep -e "CPQ.*(TLS|certificate|handshake|anonymous).*(failed|refused|error)" mail_logs';
    const r = read({
      status: cmd(status()),
      [pattern]: cmd(null, '', 'command_timeout'),
      'tophosts 1': cmd(null, 'garbage', 'unexpected_output'),
    });
    const f = run('esa1', r).findings.find((x) => x.check === 'ssh_read_incomplete')!;
    expect(f.summary).toBe(
      'esa1: SSH read incomplete: command_timeout, unexpected_output (mail_logs grep, tophosts)',
    );
    // The full command lines are kept in the evidence.
    expect(f.evidence.join('\n')).toContain(pattern);
  });
});

describe('status rules', () => {
  test('Receiving Suspended raises listeners_suspended with the status line', () => {
    const out = run('sma1', read({ 'status detail': SUSPENDED }));
    expect(out.findings.map((f) => f.id)).toEqual(['sma1/listeners_suspended']);
    const f = out.findings[0]!;
    expect(f.severity).toBe('critical');
    expect(f.evidence).toContain('System status:  Receiving Suspended');
    expect(f.remediation.join('\n')).toMatch(/`resume`.*`resumelistener`/);
    expect(out.checked).toEqual(
      expect.arrayContaining(['sma1/listeners_suspended', 'sma1/system_not_online']),
    );
  });

  test.each([
    ['Offline', 'esa'],
    ['Delivery Suspended', 'esa'],
  ])('%s raises system_not_online', (text) => {
    const out = run('esa1', read({ status: cmd(status({ systemStatus: text, online: false })) }));
    expect(out.findings.map((f) => f.id)).toEqual(['esa1/system_not_online']);
    expect(out.findings[0]!.summary).toBe(`esa1: not online: system status ${text}`);
  });

  test('an SMA whose Quarantine Service is down is not online', () => {
    const facts = status({
      variant: 'sma',
      services: { 'Quarantine Service': 'Down', 'Reporting Service': 'Up' },
    });
    const out = run('sma1', read({ status: cmd(facts) }));
    expect(out.findings.map((f) => f.id)).toEqual(['sma1/system_not_online']);
    expect(out.findings[0]!.evidence).toContain('service Quarantine Service: Down');
    expect(out.findings[0]!.remediation.join('\n')).toContain('CSCus29647');
  });

  test('Online is quiet and evaluated', () => {
    const out = run('esa1', read({ status: cmd(status({ services: { 'Quarantine Service': 'Up' } })) }));
    expect(out.findings).toEqual([]);
    expect(out.checked).toEqual(
      expect.arrayContaining(['esa1/listeners_suspended', 'esa1/system_not_online']),
    );
  });
});

describe('queue rules', () => {
  const esaTop = (rows: ReturnType<typeof row>[]) =>
    read({ 'tophosts 1': cmd(tophosts(rows), tophostsRaw(rows)) });

  test.each([
    [0, false, null],
    [49, false, null],
    [50, false, 'warning'],
    [499, false, 'warning'],
    [500, false, 'critical'],
    [3, true, 'critical'],
    [0, true, 'warning'],
  ])('the.cpq.host with %i active recipients, down %s → %s', (active, down, severity) => {
    const rows = [row('example.com', 900), row('the.cpq.host', active, down)];
    const out = run('esa1', esaTop(rows));
    expect(out.checked).toContain('esa1/cpq_queue_backlog');
    expect(out.findings.map((f) => f.severity)).toEqual(severity === null ? [] : [severity]);
    if (severity !== null) {
      const f = out.findings[0]!;
      expect(f.id).toBe('esa1/cpq_queue_backlog');
      expect(f.evidence[0]).toContain(`the.cpq.host active ${active}`);
      expect(f.evidence.some((l) => l.startsWith('raw: ') && l.includes('the.cpq.host'))).toBe(true);
      expect(f.remediation.join('\n')).toContain('`tophosts 1`');
    }
  });

  test('a queue not listed is empty: quiet, and sampled as 0', () => {
    const out = run('esa1', esaTop([row('example.com', 3)]));
    expect(out.findings).toEqual([]);
    expect(out.memory.queues['esa1/the.cpq.host']).toEqual([{ at: AT, active: 0 }]);
  });

  test('per-appliance thresholds and queue names from the inventory', () => {
    const inv = inventory({ queues: { warning: 5 } }, [
      {
        name: 'sma1',
        role: 'sma',
        host: '10.0.0.10',
        queues: { releaseQueueName: 'the.release.q', critical: 20 },
      },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1' } },
    ]);
    const rows = [row('the.cpq.release.host', 999), row('the.release.q', 20)];
    const out = run('sma1', read({ tophosts: cmd(tophosts(rows), tophostsRaw(rows)) }), undefined, inv);
    expect(out.findings.map((f) => [f.id, f.severity])).toEqual([['sma1/release_queue_backlog', 'critical']]);
    expect(out.findings[0]!.summary).toBe('sma1: the.release.q 20 active recipients');
  });

  test('growth over growthCycles reads below the threshold is a warning', () => {
    let memory: FindingsMemory | undefined;
    const fired: boolean[] = [];
    for (const [i, n] of [1, 2, 3, 4, 4].entries()) {
      const rows = [row('the.cpq.host', n)];
      const at = new Date(NOW.getTime() + i * 300_000).toISOString();
      const out = evaluateFindings({
        inventory: inventory(),
        now: new Date(at),
        listener: [],
        config: [configObs('esa1', esaTop(rows), at)],
        memory,
      });
      memory = JSON.parse(JSON.stringify(out.memory));
      fired.push(out.findings.some((f) => f.id === 'esa1/cpq_queue_backlog'));
    }
    // Three reads of growth need four samples; a flat read ends it.
    expect(fired).toEqual([false, false, false, true, false]);
    expect(memory!.queues['esa1/the.cpq.host']!.map((s) => s.active)).toEqual([2, 3, 4, 4]);
  });
});

describe('outbound cipher list', () => {
  test('sslconfig verdict: anonymous allowed → warning with the list and the reason', () => {
    const out = run('esa1', read({ sslconfig: cmd(sslconfig('RC4-SHA:RC4-MD5:ALL', true)) }));
    expect(out.findings.map((f) => [f.id, f.severity])).toEqual([
      ['esa1/outbound_ciphers_allow_anonymous', 'warning'],
    ]);
    const f = out.findings[0]!;
    expect(f.evidence).toContain('`sslconfig` outbound ciphers: RC4-SHA:RC4-MD5:ALL');
    expect(f.evidence).toContain('why: no -aNULL or !aNULL in the list');
    expect(f.remediation.join('\n')).toContain(':-aNULL');
    expect(f.remediation.join('\n')).toContain('`commit`');
  });

  test('sslconfig verdict: excluded → quiet, evaluated', () => {
    const out = run('esa1', read({ sslconfig: cmd(sslconfig('ALL:-aNULL', false)) }));
    expect(out.findings).toEqual([]);
    expect(out.checked).toContain('esa1/outbound_ciphers_allow_anonymous');
  });

  test.each([
    ['ALL', true],
    ['ALL:-aNULL', false],
  ])('showconfig list %s (no sslconfig read): fires %s', (list, fires) => {
    const facts = showconfig({
      tls: { inbound: { methods: null, ciphers: null }, outbound: { methods: 'tlsv1_2', ciphers: list } },
    });
    const out = run('esa1', read({ showconfig: cmd(facts) }));
    expect(out.findings.map((f) => f.id)).toEqual(fires ? ['esa1/outbound_ciphers_allow_anonymous'] : []);
  });

  test('no cipher list read: not evaluated', () => {
    const out = run('esa1', read({ status: cmd(status()) }));
    expect(out.checked).not.toContain('esa1/outbound_ciphers_allow_anonymous');
  });
});

describe('mail_logs rules', () => {
  const seed = [
    ev('delivery_connection', '11:58:00', {
      dcid: 1,
      interface: '10.0.0.21',
      address: '10.0.0.10',
      port: 7025,
    }),
    ev('tls_failed', '11:58:01', {
      dcid: 1,
      reason: 'verify error: no certificate from server',
      raw: 'Fri Nov 27 11:58:01 2026 Info: DCID 1 TLS failed: verify error: no certificate from server',
    }),
    ev('tls_required_failed', '11:58:01', {
      dcid: 1,
      raw: 'Fri Nov 27 11:58:01 2026 Info: DCID 1 TLS was required but could not be successfully negotiated',
    }),
    // Ordinary outbound mail on port 25: not CPQ.
    ev('delivery_connection', '11:58:10', {
      dcid: 2,
      interface: '10.0.0.21',
      address: '192.0.2.9',
      port: 25,
    }),
    ev('tls_failed', '11:58:11', { dcid: 2, reason: 'verify error: no certificate from server' }),
  ];

  test('TLS failures of CPQ deliveries raise cpq_tls_log_failures with the raw lines', () => {
    const out = run('esa1', read({ grep: grep(seed) }));
    expect(out.findings.map((f) => [f.id, f.severity])).toEqual([['esa1/cpq_tls_log_failures', 'critical']]);
    const f = out.findings[0]!;
    expect(f.summary).toBe('esa1: 2 CPQ TLS failure lines in mail_logs (no certificate)');
    expect(f.evidence).toContain(
      'Fri Nov 27 11:58:01 2026 Info: DCID 1 TLS failed: verify error: no certificate from server',
    );
    expect(f.evidence.join('\n')).not.toContain('DCID 2');
    expect(out.checked).toEqual(
      expect.arrayContaining([
        'esa1/cpq_tls_log_failures',
        'esa1/cpq_connection_errors',
        'esa1/application_fault',
      ]),
    );
  });

  test('the next read counts only lines after the cursor (same-second lines included once)', () => {
    const first = run('esa1', read({ grep: grep(seed) }));
    const memory = JSON.parse(JSON.stringify(first.memory)) as FindingsMemory;
    expect(memory.logs.esa1).toEqual({ timestamp: '2026-11-27T11:58:11.000Z', atTimestamp: 1 });
    // Same lines again: nothing new.
    expect(run('esa1', read({ grep: grep(seed) }), memory).findings).toEqual([]);
    // A new CPQ failure in the same second as the cursor, and one later.
    const more = [
      ...seed,
      ev('tls_failed', '11:58:11', { dcid: 1, reason: 'verify error: no certificate from server' }),
      ev('tls_failed', '11:59:30', { dcid: 1, reason: 'handshake failure' }),
    ];
    const next = run('esa1', read({ grep: grep(more) }), memory);
    expect(next.findings.map((f) => f.summary)).toEqual([
      'esa1: 2 CPQ TLS failure lines in mail_logs (no certificate)',
    ]);
    expect(next.memory.logs.esa1).toEqual({ timestamp: '2026-11-27T11:59:30.000Z', atTimestamp: 1 });
  });

  test('first read: only lines within one SSH interval of the newest line count', () => {
    const old = [
      ev('tls_failed', '09:00:00', { dcid: 7, reason: 'verify error: no certificate from server' }),
    ];
    const recent = ev('message_done', '11:00:00', { dcid: 8, rid: 0, destination: 'the.cpq.host' });
    expect(run('esa1', read({ grep: grep([...old, recent]) })).findings).toEqual([]);
    expect(run('esa1', read({ grep: grep(old) })).findings.map((f) => f.id)).toEqual([
      'esa1/cpq_tls_log_failures',
    ]);
  });

  test('lines without a timestamp are never counted', () => {
    const untimed = [ev('tls_failed', '', { dcid: 1, reason: 'verify error: no certificate from server' })];
    expect(run('esa1', read({ grep: grep(untimed) })).findings).toEqual([]);
  });

  test('a TLS failure with no connection line is counted and flagged as unattributed (warning)', () => {
    const out = run(
      'esa1',
      read({ grep: grep([ev('tls_failed', '11:00:00', { dcid: 9, reason: 'handshake failure' })]) }),
    );
    expect(out.findings.map((f) => [f.id, f.severity])).toEqual([['esa1/cpq_tls_log_failures', 'warning']]);
    expect(out.findings[0]!.evidence).toContain(
      '1 of them name a DCID with no CPQ connection line in the read',
    );
  });

  test('connection errors toward a CPQ port raise cpq_connection_errors', () => {
    const lines = [
      ev('connection_error', '11:00:00', {
        dcid: 63,
        address: '10.0.0.10',
        port: 7025,
        domain: 'the.cpq.host',
        reason: 'network error',
        details: 'timeout',
      }),
      ev('connection_error', '11:00:05', {
        dcid: 64,
        address: '192.0.2.1',
        port: 25,
        domain: 'example.com',
        reason: 'network error',
        details: null,
      }),
    ];
    const out = run('esa1', read({ grep: grep(lines) }));
    expect(out.findings.map((f) => [f.id, f.severity, f.summary])).toEqual([
      [
        'esa1/cpq_connection_errors',
        'warning',
        'esa1: 1 CPQ connection errors in mail_logs (10.0.0.10:7025)',
      ],
    ]);
    expect(out.findings[0]!.evidence).toContain('reason: network error');
  });

  test('application faults on an SMA point at CSCus29647 and a restart', () => {
    const lines = [ev('application_fault', '11:00:00', { text: 'An application fault occurred' })];
    const out = run('sma1', read({ grep: grep(lines) }));
    expect(out.findings.map((f) => [f.id, f.severity])).toEqual([['sma1/application_fault', 'warning']]);
    expect(out.findings[0]!.summary).toContain('CSCus29647');
    expect(out.findings[0]!.remediation.join('\n')).toMatch(/CSCus29647.*`reboot`/);
  });

  test('no grep read: log rules not evaluated and the cursor is kept', () => {
    const memory = {
      ...emptyMemory(),
      logs: { esa1: { timestamp: '2026-11-27T11:00:00.000Z', atTimestamp: 2 } },
    };
    const out = run('esa1', read({ status: cmd(status()) }), memory);
    expect(out.checked).not.toContain('esa1/cpq_tls_log_failures');
    expect(out.memory.logs.esa1).toEqual(memory.logs.esa1);
  });
});
