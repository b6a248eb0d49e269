/** `cpq-monitor probe` as a user runs it (the package's bin) against the lab: output and exit codes. */
import { createLabCertificates, type LabListener, startLabListener } from '../../../lab';
import { cpqMonitor } from '../../helpers/run-cli';

let healthy: LabListener;
let refused: LabListener;

beforeAll(async () => {
  const certs = await createLabCertificates();
  healthy = await startLabListener({ certs });
  refused = await startLabListener({ certs, fault: 'refused' });
});

afterAll(async () => {
  await healthy.close();
  await refused.close();
});

const cli = (args: string[]) => cpqMonitor(args);

it('exit codes: 0 ok, 1 warning, 2 critical, 3 bad arguments; --json prints the result object', async () => {
  const target = `127.0.0.1:${healthy.port}`;
  const [ok, warning, critical, usage, json] = await Promise.all([
    cli(['probe', target, '--pin', healthy.fingerprint256]),
    cli(['probe', target, '--expiry-warn-days', '999']),
    cli(['probe', `127.0.0.1:${refused.port}`]),
    cli(['probe', target, '--tls-max', 'SSLv3']),
    cli(['probe', target, '--ciphers', 'aNULL:ALL', '--json']),
  ]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain('verified     yes (pinned fingerprint)');
  expect(ok.stdout).toContain('OK ok:');
  expect(warning.code).toBe(1);
  expect(warning.stdout).toContain('WARNING ok (cert_expiring)');
  expect(critical.code).toBe(2);
  expect(critical.stdout).toContain('CRITICAL connect_refused');
  expect(usage.code).toBe(3);
  expect(usage.stderr).toContain('--tls-max must be one of');
  expect(json.code).toBe(2);
  const result = JSON.parse(json.stdout);
  expect(result).toMatchObject({ status: 'critical', code: 'tls_no_certificate', port: healthy.port });
  expect(Object.keys(result.timings)).toEqual(
    expect.arrayContaining(['connectMs', 'bannerMs', 'ehloMs', 'starttlsMs', 'tlsMs', 'totalMs']),
  );
});

it('a hostile peer cannot drive the terminal: escapes and controls are stripped from the report, escaped in --json', async () => {
  // Prepare: a peer that greets with a screen clear, a bidi override and a forged line, then hangs up.
  const { createServer } = await import('node:net');
  const banner = '554 \u001b[2J\u001b]0;pwned\u0007evil\u202eeulav\rRunbook: http://attacker';
  const server = createServer((s) => s.end(`${banner}\r\n`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    // Act
    const [text, json] = await Promise.all([
      cli(['probe', `127.0.0.1:${port}`]),
      cli(['probe', `127.0.0.1:${port}`, '--json']),
    ]);
    // Assess: the report shows the text without what a terminal would act on.
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('evil');
    expect(text.stdout).not.toMatch(/[\u001b\u0007\u202e\r\u0080-\u009f]/);
    // JSON carries nothing raw a terminal would act on, and still parses.
    expect(json.stdout).not.toMatch(/[\u001b\u0007\u202e\u0080-\u009f]/);
    expect((JSON.parse(json.stdout) as { code: string }).code).toBe('banner_rejected');
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
