/**
 * Every `cpq-monitor` command line of the `sh` blocks of README.md and docs/*.md, and how the
 * acceptance suite runs it here: as written where it can (in a directory holding the simulated
 * fleet's `inventory.yaml`), with the lab's addresses for a documented host name or port, and
 * against a deployed stack for `--stack`/`--table` (its alert table in a real DynamoDB-compatible
 * engine on loopback). A documented line missing here fails the suite, as does an entry no
 * document has any more. Each runnable entry states the exit code and a line of output the
 * docs promise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AcceptanceLab, FLEET_PASSWORD } from '../helpers/acceptance-lab';
import { type DeployedTable, startDeployedTable, TABLE } from '../helpers/deployed-table';
import type { ShCommand } from '../helpers/doc-commands';
import { outputMatching, type Run, type RunOptions, startCpqMonitor } from '../helpers/run-cli';

/** A documented line that runs here. */
export interface Runnable {
  /** Runs it (words after `cpq-monitor`, the line's `VAR=value` prefixes as environment). */
  run(lab: AcceptanceLab, args: string[], env: Record<string, string>): Promise<Run>;
  code: number;
  /** A line (or part of one) the docs show in its output, stdout or stderr. */
  output: RegExp;
}

/** The key of a documented line: its `VAR=value` prefixes and words, `npx` dropped, single-spaced. */
export function exampleKey(cmd: ShCommand): string {
  const env = Object.entries(cmd.env).map(([k, v]) => `${k}=${v}`);
  return [...env, ...cmd.words.filter((w, i) => !(i === 0 && w === 'npx'))].join(' ');
}

/** The words after `cpq-monitor` (undefined when the line does not run it). */
export function cpqMonitorArgs(cmd: ShCommand): string[] | undefined {
  const at = cmd.words.indexOf('cpq-monitor');
  return at === -1 ? undefined : cmd.words.slice(at + 1);
}

/** Runs the line as written in the fleet's directory. */
const asWritten = (code: number, output: RegExp, opts: RunOptions = {}): Runnable => ({
  run: (lab, args, env) => lab.run(args, { ...opts, env: { ...env, ...opts.env } }),
  code,
  output,
});

/** Runs `args(lab)` instead of the written words (a documented host, port or file replaced). */
const withArgs = (
  args: (lab: AcceptanceLab) => string[] | Promise<string[]>,
  code: number,
  output: RegExp,
  opts: (lab: AcceptanceLab) => RunOptions = () => ({}),
): Runnable => ({
  run: async (lab, _written, env) => {
    const o = opts(lab);
    return lab.run(await args(lab), { ...o, env: { ...env, ...o.env } });
  },
  code,
  output,
});

/** A command that runs until Ctrl-C: started, `ready` awaited in its output, then interrupted. */
const untilInterrupted = (
  ready: RegExp,
  code: number,
  output: RegExp,
  cwd: (lab: AcceptanceLab) => string | Promise<string> = (lab) => lab.dir,
  args?: (lab: AcceptanceLab) => string[],
): Runnable => ({
  run: async (lab, written, env) => {
    const started = startCpqMonitor(args?.(lab) ?? written, {
      cwd: await cwd(lab),
      env: { CPQ_SSH_PASSWORD: FLEET_PASSWORD, ...env },
    });
    await outputMatching(started, ready);
    started.child.kill('SIGINT');
    return started.done;
  },
  code,
  output,
});

/** Healthy listener on 127.0.0.1 / ::1 (certificate for sma1.example.com). */
const target = (lab: AcceptanceLab) => `127.0.0.1:${lab.listener.port}`;

/**
 * AWS for `verify`: a deployed stack named CpqMonitor answered by aws-sdk-client-mock preloaded
 * into the command's process (`node --require`), in the region the profile would give.
 */
const DEPLOYED_STACK: RunOptions = {
  node: ['--require', join(__dirname, '../helpers/aws-stack-preload.js')],
  env: { CPQ_TEST_STACK: 'CpqMonitor', AWS_REGION: 'us-east-1' },
};
/**
 * Runs with an open alert in the fleet's local state: esa1's queue toward the SMA backs up and a
 * cycle pages it (`esa1/cpq_queue_backlog`); the queue drains afterwards.
 */
const withOpenAlert = (code: number, output: RegExp, args?: (lab: AcceptanceLab) => string[]): Runnable => ({
  run: async (lab, written, env) => {
    lab.fleet.get('esa1').setCpqQueue(5000);
    try {
      const check = await lab.run(['check', '--inventory', 'inventory.yaml', '--cycle', 'ssh']);
      if (!/esa1\/cpq_queue_backlog/.test(check.stdout))
        throw new Error(`no page for the queue:\n${check.stdout}`);
      return await lab.run(args?.(lab) ?? written, { env });
    } finally {
      lab.fleet.get('esa1').setCpqQueue(0);
    }
  },
  code,
  output,
});
/**
 * Runs against the deployed stack's alert table: a real DynamoDB-compatible engine on loopback
 * holding the table as the stack creates it (test/helpers/deployed-table.ts), `--stack`'s output
 * and STS answered in the command's process. `prepare` seeds the table and may return the words to
 * run instead of the written ones.
 */
const onDeployedTable = (
  code: number,
  output: RegExp,
  prepare?: (table: DeployedTable, lab: AcceptanceLab) => Promise<string[] | undefined>,
): Runnable => ({
  run: async (lab, written, env) => {
    const table = await startDeployedTable();
    try {
      const args = (await prepare?.(table, lab)) ?? written;
      return await lab.run(args, { ...table.options, env: { ...env, ...table.options.env } });
    } finally {
      await table.engine.close();
    }
  },
  code,
  output,
});
/** Adds a silence of esa2 to the table through the command itself; its id. */
async function silenceInTable(table: DeployedTable, lab: AcceptanceLab): Promise<string> {
  const add = [
    'silence',
    'add',
    '--table',
    TABLE,
    '--appliance',
    'esa2',
    '--for',
    '1h',
    '--reason',
    'x',
    '--json',
  ];
  const r = await lab.run(add, table.options);
  if (r.code !== 0) throw new Error(`silence add failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return (JSON.parse(r.stdout) as { id: string }).id;
}
/** The path alert the docs acknowledge and list. */
const PATH_ALERT = 'esa1->sma1/cpq_tls_anonymous';

export const EXAMPLES: Record<string, Runnable> = {
  // README.md: check
  'cpq-monitor check --inventory inventory.yaml': asWritten(
    0,
    /^alert state: .*inventory\.yaml\.state\.json/m,
  ),
  'cpq-monitor check --inventory inventory.yaml --json': asWritten(0, /"findings":\[/),
  'cpq-monitor check --inventory inventory.yaml --watch 60': untilInterrupted(
    /^alert state: /m,
    130,
    /alert state: /,
  ),
  'cpq-monitor check --inventory inventory.yaml --cycle probe': asWritten(0, /^alert state: /m),
  // In a directory of its own, on a copy of config/lab.yaml on free ports.
  'cpq-monitor lab --inventory config/lab.yaml': untilInterrupted(
    /In another shell:/,
    0,
    /│ sma1 +│ sma +│ 127\.0\.0\.1:\d+/,
    (lab) => lab.labCopy(),
  ),
  'CPQ_LAB_PASSWORD=ironport cpq-monitor check --inventory config/lab.yaml --watch 10': untilInterrupted(
    /^alert state: /m,
    130,
    /alert state: .*lab\.yaml\.state\.json/,
    async (lab) => (await lab.handLab()).dir,
  ),
  // README.md: init
  'cpq-monitor init sma1.example.com esa1.example.com --user cpqmonitor --password-env CPQ_SSH_PASSWORD --secret-id cpq-monitor/{name} --out inventory.yaml':
    withArgs(
      (lab) => [
        'init',
        lab.ssh('sma1'),
        lab.ssh('esa1'),
        '--user',
        'cpqmonitor',
        '--password-env',
        'CPQ_SSH_PASSWORD',
        '--secret-id',
        'cpq-monitor/{name}',
        '--out',
        join(lab.scratch(), 'inventory.yaml'),
      ],
      0,
      /^Inventory written to .*inventory\.yaml \(2 appliance\(s\)\)/m,
      () => ({ stdin: 'yes\nyes\n' }),
    ),
  'cpq-monitor init --check inventory.yaml': asWritten(0, /No drift/),
  // README.md: probe (the lab's listener stands for the documented host)
  'cpq-monitor probe sma1.example.com': withArgs(
    (lab) => ['probe', target(lab)],
    0,
    /^OK ok: The listener works/m,
  ),
  'cpq-monitor probe 10.0.0.5:7026 --pin 3A:F1:...:9C': withArgs(
    (lab) => ['probe', target(lab), '--pin', lab.certs.healthy.fingerprint256],
    0,
    /verified +yes \(pinned fingerprint\)/,
  ),
  'cpq-monitor probe [2001:db8::5] --ca corp-ca.pem --servername sma1.example.com': withArgs(
    (lab) => [
      'probe',
      `[::1]:${lab.listenerV6.port}`,
      '--ca',
      'corp-ca.pem',
      '--servername',
      'sma1.example.com',
    ],
    0,
    /verified +yes/,
  ),
  'cpq-monitor probe sma1.example.com --ciphers RC4-SHA:RC4-MD5:ALL --json': withArgs(
    (lab) => ['probe', target(lab), '--ciphers', 'RC4-SHA:RC4-MD5:ALL', '--json'],
    0,
    // ALL includes anonymous suites: TLS capped at 1.2, as README says.
    /"protocol": "TLSv1.2"/,
  ),
  // README.md: read and parse
  'cpq-monitor read esa1.example.com --print-host-key': withArgs(
    (lab) => ['read', lab.ssh('esa1'), '--print-host-key'],
    0,
    /^SHA256:[A-Za-z0-9+/]{43}$/m,
  ),
  'CPQ_SSH_PASSWORD=... cpq-monitor read esa1.example.com --user monitor --password-env CPQ_SSH_PASSWORD --host-key SHA256:M14QWCY0TMqzxOVB4MVLLNGum6K0ckr1qWLP7Tc4NY4 --commands status,tophosts,showconfig,sslconfig,mail_logs [--json]':
    withArgs(
      (lab) => [
        'read',
        lab.ssh('esa1'),
        '--user',
        'cpqmonitor',
        '--password-env',
        'CPQ_SSH_PASSWORD',
        '--host-key',
        lab.hostKey('esa1'),
        '--commands',
        'status,tophosts,showconfig,sslconfig,mail_logs',
        '--json',
      ],
      0,
      /"status": "ok"/,
    ),
  'cpq-monitor parse status saved-status.txt': asWritten(0, /^System status: +Online/m),
  'xclip -o | cpq-monitor parse tophosts - --json': {
    run: (lab, args) =>
      lab.run(args, {
        stdin: readFileSync(join(__dirname, '../fixtures/asyncos/tophosts-esa.txt'), 'utf8'),
      }),
    code: 0,
    output: /"kind": "tophosts"/,
  },
  // README.md: lab
  'cpq-monitor lab --ca-out /tmp/lab-ca.pem': untilInterrupted(
    /Press Ctrl-C to stop\./,
    0,
    /Lab CA written to .*lab-ca\.pem/,
    (lab) => lab.dir,
    (lab) => ['lab', '--ca-out', join(lab.scratch(), 'lab-ca.pem')],
  ),
  'cpq-monitor probe 127.0.0.1:PORT --ca /tmp/lab-ca.pem': withArgs(
    (lab) => ['probe', target(lab), '--ca', 'corp-ca.pem', '--servername', 'sma1.example.com'],
    0,
    /verified +yes/,
  ),
  'cpq-monitor probe 127.0.0.1:PORT --ciphers aNULL:ALL': withArgs(
    (lab) => ['probe', target(lab), '--ciphers', 'aNULL:ALL'],
    2,
    /tls_no_certificate/,
  ),
  'cpq-monitor lab --count 100 --latency 20 --json': untilInterrupted(/"listeners":/, 0, /"fault":"none"/),
  // docs/alerts.md: silences and acknowledgements on the local state file
  'cpq-monitor silence add --appliance esa3 --for 2h --reason disk swap CHG-1234 --inventory inventory.yaml':
    // esa2 stands for the docs' esa3: a silence is checked against the inventory, which has no esa3.
    withArgs(
      () => [
        'silence',
        'add',
        '--appliance',
        'esa2',
        '--for',
        '2h',
        '--reason',
        'disk swap CHG-1234',
        '--inventory',
        'inventory.yaml',
      ],
      0,
      /^silence sil-\S+ added to state file .*: esa2 \/ every check until /m,
    ),
  'cpq-monitor silence add --appliance esa-fra-* --check cpq_cert_* --until 2026-03-02T14:00:00Z --reason certificate rollout CHG-1240 --inventory inventory.yaml':
    withArgs(
      () => [
        'silence',
        'add',
        '--appliance',
        'esa-fra-*',
        '--check',
        'cpq_cert_*',
        // The documented date has passed; the same form a day from now.
        '--until',
        new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        '--reason',
        'certificate rollout CHG-1240',
        '--inventory',
        'inventory.yaml',
      ],
      0,
      /^silence sil-\S+ added to .*: esa-fra-\* \/ cpq_cert_\* until /m,
    ),
  'cpq-monitor silence list --inventory inventory.yaml': asWritten(
    0,
    /│ sil-\S+ +│ esa-fra-\* +│ cpq_cert_\*/,
  ),
  'cpq-monitor silence list --inventory inventory.yaml --json': asWritten(0, /"mutes": \[/),
  'cpq-monitor silence remove sil-1a2b3c4d --inventory inventory.yaml': {
    run: async (lab) => {
      const inv = ['--inventory', 'inventory.yaml'];
      const add = ['silence', 'add', '--appliance', 'esa2', '--for', '1h', '--reason', 'x', '--json'];
      const { id } = JSON.parse((await lab.run([...add, ...inv])).stdout) as { id: string };
      return lab.run(['silence', 'remove', id, ...inv]);
    },
    code: 0,
    output: /^silence sil-\S+ removed from state file .* \(esa2 \/ every check: x\)/m,
  },
  // docs/alerts.md: the same against the deployed stack's alert table
  'cpq-monitor silence add --stack CpqMonitor --appliance esa3 --for 2h --reason disk swap CHG-1234':
    onDeployedTable(
      0,
      /^silence sil-\S+ added to table CpqMonitor-AlertingAlertState1234-ABCD: esa3 \/ every check until /m,
    ),
  'cpq-monitor silence list --stack CpqMonitor --inventory inventory.yaml': onDeployedTable(
    0,
    /│ sil-\S+ +│ esa2 +│/,
    async (table, lab) => {
      await silenceInTable(table, lab);
      return undefined;
    },
  ),
  'cpq-monitor silence remove sil-1a2b3c4d --table CpqMonitor-AlertingAlertState1234-ABCD': onDeployedTable(
    0,
    /^silence sil-\S+ removed from table CpqMonitor-AlertingAlertState1234-ABCD \(esa2 \/ every check: x\)/m,
    async (table, lab) => ['silence', 'remove', await silenceInTable(table, lab), '--table', TABLE],
  ),
  'cpq-monitor alerts --inventory inventory.yaml': withOpenAlert(0, /esa1\/cpq_queue_backlog/),
  'cpq-monitor alerts --stack CpqMonitor': onDeployedTable(
    0,
    /esa1->sma1\/cpq_tls_anonymous/,
    async (table) => {
      await table.openAlert(PATH_ALERT);
      return undefined;
    },
  ),
  'cpq-monitor alerts --inventory inventory.yaml --appliance esa-fra-* --check cpq_* --alert-state alarm,recovering':
    withOpenAlert(0, /\S/),
  'cpq-monitor alerts --stack CpqMonitor --json': onDeployedTable(
    0,
    /"id": "esa1->sma1\/cpq_tls_anonymous"/,
    async (table) => {
      await table.openAlert(PATH_ALERT);
      return undefined;
    },
  ),
  // The queue's alert stands for the documented one (the same form: one alert id, its finding in full).
  'cpq-monitor alerts esa1/cpq_tls_anonymous --inventory inventory.yaml': withOpenAlert(
    0,
    /esa1\/cpq_queue_backlog/,
    () => ['alerts', 'esa1/cpq_queue_backlog', '--inventory', 'inventory.yaml'],
  ),
  'cpq-monitor ack esa1/cpq_queue_backlog --reason draining the queue, CHG-1250 --inventory inventory.yaml':
    withOpenAlert(0, /^acknowledged esa1\/cpq_queue_backlog in state file /m),
  'cpq-monitor ack esa1->sma1/cpq_tls_anonymous --reason fixing the cipher list --stack CpqMonitor':
    onDeployedTable(
      0,
      /^acknowledged esa1->sma1\/cpq_tls_anonymous in table CpqMonitor-\S+/m,
      async (table) => {
        await table.openAlert(PATH_ALERT);
        return undefined;
      },
    ),
  // docs/deploy.md and docs/onboarding.md: verify, AWS answered inside the command's process
  'cpq-monitor verify --stack CpqMonitor --region us-east-1': asWritten(
    0,
    /\[ok\] +test page: published/,
    DEPLOYED_STACK,
  ),
  'cpq-monitor verify --stack CpqMonitor --fire-alarm': asWritten(
    0,
    /\[ok\] +fire \S+ \(page\)/,
    DEPLOYED_STACK,
  ),
  'cpq-monitor verify --no-test-page --appliances esa1,sma1 --json': asWritten(
    0,
    /"status": "ok"/,
    DEPLOYED_STACK,
  ),
  // docs/onboarding.md
  'CPQ_LAB_PASSWORD=ironport cpq-monitor init 127.0.0.1:17022 127.0.0.1:17122 127.0.0.1:17222 --user admin --password-env CPQ_LAB_PASSWORD --out lab-init.yaml':
    {
      run: async (lab, args, env) => {
        const hand = await lab.handLab();
        const moved = args.map((a) =>
          a.replace(/^127\.0\.0\.1:(\d+)$/, (_, p) => `127.0.0.1:${hand.port(Number(p))}`),
        );
        return lab.run(moved, { cwd: lab.scratch(), env, stdin: 'yes\nyes\nyes\n' });
      },
      code: 0,
      output: /^Inventory written to lab-init\.yaml \(3 appliance\(s\)\)/m,
    },
  'cpq-monitor init sma1.example.com esa1.example.com esa2.example.com --user cpqmonitor --password-env CPQ_SSH_PASSWORD --secret-id cpq-monitor/{name} --out inventory.yaml':
    withArgs(
      (lab) => [
        'init',
        lab.ssh('sma1'),
        lab.ssh('esa1'),
        lab.ssh('esa2'),
        '--user',
        'cpqmonitor',
        '--password-env',
        'CPQ_SSH_PASSWORD',
        '--secret-id',
        'cpq-monitor/{name}',
        '--out',
        join(lab.scratch(), 'inventory.yaml'),
      ],
      0,
      /^Inventory written to .*inventory\.yaml \(3 appliance\(s\)\)/m,
      () => ({ stdin: 'yes\nyes\nyes\n' }),
    ),
  'cpq-monitor init --help': asWritten(0, /--check <inventory> +re-read the fleet/),
  'CPQ_SSH_PASSWORD=the password of cpqmonitor cpq-monitor check --inventory inventory.yaml': asWritten(
    0,
    /^alert state: /m,
  ),
  'CPQ_SSH_PASSWORD=the password of cpqmonitor cpq-monitor init --check inventory.yaml': asWritten(
    0,
    /No drift/,
  ),
  // docs/runbook.md
  'CPQ_SSH_PASSWORD=... cpq-monitor read <host>:<ssh port> --user <ssh.user> --password-env CPQ_SSH_PASSWORD --host-key <ssh.hostKeys[0]> --commands status --json':
    withArgs(
      (lab) => [
        'read',
        lab.ssh('sma1'),
        '--user',
        'cpqmonitor',
        '--password-env',
        'CPQ_SSH_PASSWORD',
        '--host-key',
        lab.hostKey('sma1'),
        '--commands',
        'status',
        '--json',
      ],
      0,
      /"status": "ok"/,
    ),
};

/** Sub-commands no `sh` block shows: run as README's command table and `npm start`/`npm run cost` run them. */
export const UNDOCUMENTED: Record<string, Runnable> = {
  'cpq-monitor demo': asWritten(0, /^Every fault paged with its cause and fix and recovered/m),
  'cpq-monitor cost --inventory config/example.yaml': withArgs(
    () => ['cost', '--inventory', join(__dirname, '../../config/example.yaml')],
    0,
    /total/i,
  ),
};
