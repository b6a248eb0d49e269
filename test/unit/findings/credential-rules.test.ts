/** Credential rules: one finding per credential source the monitor could not use, across appliances. */
import type { ReadResult } from '../../../shared/asyncos/types';
import { CREDENTIALS_UNAVAILABLE_SEVERITY } from '../../../shared/findings/credential-rules';
import { evaluateFindings } from '../../../shared/findings/evaluate';
import { checkOf, endsOf, parseFindingId } from '../../../shared/findings/ids';
import { cmd, configObs, inventory, NOW, read, status } from './builders';

const KEY = `SHA256:${'P'.repeat(43)}`;

function ssh(credentials: Record<string, string>) {
  return { user: 'monitor', hostKeys: [KEY], credentials };
}

/** sma1 and esa1 share `PW`; esa2 and esa3 share the key file `keys/monitor` (with a passphrase). */
function fleet() {
  return inventory({}, [
    { name: 'sma1', role: 'sma', host: '10.0.0.10', ssh: ssh({ passwordEnv: 'PW' }) },
    {
      name: 'esa1',
      role: 'esa',
      host: '10.0.0.21',
      quarantine: { sma: 'sma1' },
      ssh: ssh({ passwordEnv: 'PW' }),
    },
    {
      name: 'esa2',
      role: 'esa',
      host: '10.0.0.22',
      quarantine: { sma: 'sma1' },
      ssh: ssh({ keyFile: 'keys/monitor key', passphraseEnv: 'PASS' }),
    },
    {
      name: 'esa3',
      role: 'esa',
      host: '10.0.0.23',
      quarantine: { sma: 'sma1' },
      ssh: ssh({ keyFile: 'keys/monitor key', passphraseEnv: 'PASS' }),
    },
  ]);
}

const missing = (why: string): Partial<ReadResult> => ({
  code: 'credentials_unavailable',
  status: CREDENTIALS_UNAVAILABLE_SEVERITY,
  message: `No SSH login was attempted: ${why}.`,
  hostKey: null,
  timings: { totalMs: 0 },
});
const healthy = () => read({ status: cmd(status()) });

function run(reads: Record<string, ReadResult>, context?: string[]) {
  return evaluateFindings({
    inventory: fleet(),
    now: NOW,
    listener: [],
    config: Object.entries(reads).map(([name, r]) => configObs(name, r)),
    ...(context !== undefined ? { context } : {}),
  });
}

const ENV_ID = 'monitor:env:PW/ssh_credentials_unavailable';
const KEY_ID = 'monitor:keyfile:keys/monitor_key/ssh_credentials_unavailable';

describe('credential rules', () => {
  it('one finding per source, listing its appliances in inventory order, at one severity', () => {
    const out = run({
      esa1: read({}, missing('environment variable PW (password of esa1) is not set')),
      sma1: read({}, missing('environment variable PW (password of sma1) is not set')),
      esa2: read({}, missing('cannot read key file /inv/keys/monitor key of esa2: ENOENT')),
      esa3: read({}, missing('cannot read key file /inv/keys/monitor key of esa3: ENOENT')),
    });
    expect(out.findings.map((f) => f.id).sort()).toEqual([ENV_ID, KEY_ID]);
    const env = out.findings.find((f) => f.id === ENV_ID)!;
    expect(env.appliance).toBe('monitor');
    expect(env.appliances).toEqual(['sma1', 'esa1']);
    expect(env.severity).toBe('warning');
    expect(env.summary).toBe('monitor: env var PW not set; 2 appliances not read (sma1, esa1)');
    expect(env.evidence.filter((l) => /^(sma1|esa1) /.test(l))).toHaveLength(2);
    expect(env.evidence.every((l) => !/critical|\binfo\b/.test(l))).toBe(true);
    expect(env.remediation.join('\n')).toContain('export PW=');
    // The fix is said once for the source, not once per appliance.
    expect(env.remediation.filter((l) => l.startsWith('Set PW'))).toHaveLength(1);
    const key = out.findings.find((f) => f.id === KEY_ID)!;
    expect(key.summary).toContain('key file keys/monitor key unusable; 2 appliances not read (esa2, esa3)');
    expect(key.remediation.join('\n')).toContain('passphraseEnv');
    // Both sources were attempted: both are checked; no per-appliance id is (no secret was had).
    expect(out.checked.filter((id) => checkOf(id) === 'ssh_credentials_unavailable')).toEqual([
      ENV_ID,
      KEY_ID,
    ]);
  });

  it('a source that worked for every appliance read is checked and quiet; one not attempted is not checked', () => {
    const out = run({ sma1: healthy(), esa1: healthy() });
    expect(out.findings).toEqual([]);
    expect(out.checked).toContain(ENV_ID);
    expect(out.checked).not.toContain(KEY_ID);
  });

  it('checks the per-appliance ids of earlier releases only where the secret was had, and never raises them', () => {
    // An alert of the old form left open by an upgrade recovers once its appliance is read.
    const out = run({ sma1: healthy(), esa1: read({}, missing('environment variable PW is not set')) });
    expect(out.checked).toContain('sma1/ssh_credentials_unavailable');
    expect(out.checked).not.toContain('esa1/ssh_credentials_unavailable');
    expect(out.findings.map((f) => f.id)).toEqual([ENV_ID]);
  });

  it('names the appliances the source still worked for', () => {
    const out = run({ sma1: healthy(), esa1: read({}, missing('environment variable PW is not set')) });
    const f = out.findings.find((x) => x.id === ENV_ID)!;
    expect(f.appliances).toEqual(['esa1']);
    expect(f.summary).toContain('1 appliance not read (esa1)');
    expect(f.evidence).toContain('the same source worked this cycle for: sma1');
  });

  it("leaves a context appliance's failure to the shard that owns it", () => {
    const out = run(
      {
        sma1: read({}, missing('environment variable PW is not set')),
        esa1: read({}, missing('environment variable PW is not set')),
      },
      ['sma1'],
    );
    expect(out.findings.find((x) => x.id === ENV_ID)!.appliances).toEqual(['esa1']);
    const onlyContext = run({ sma1: read({}, missing('environment variable PW is not set')) }, ['sma1']);
    expect(onlyContext.findings).toEqual([]);
    expect(onlyContext.checked).not.toContain(ENV_ID);
  });

  it('its id is a monitor-side subject: no appliance, no path, even with "->" or "/" in the source', () => {
    const id = 'monitor:secret:arn:aws:secretsmanager:eu-west-1:1:secret:a->b/c/ssh_credentials_unavailable';
    expect(parseFindingId(id)).toEqual({
      subject: 'monitor:secret:arn:aws:secretsmanager:eu-west-1:1:secret:a->b/c',
      check: 'ssh_credentials_unavailable',
    });
    expect(endsOf(id)).toEqual(['monitor:secret:arn:aws:secretsmanager:eu-west-1:1:secret:a->b/c']);
  });
});
