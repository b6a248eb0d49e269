/** CA bundles named by the inventory: resolved against its folder, read once, a missing one reported once. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caFileReader } from '../../../shared/cycle/ca-files';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-ca-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('caFileReader', () => {
  it('resolves a relative name against the base folder and reads each file once', () => {
    writeFileSync(join(dir, 'corp-ca.pem'), PEM);
    const problems: string[] = [];
    const ca = caFileReader(dir, (p) => problems.push(p));
    expect(ca('corp-ca.pem')).toBe(PEM);
    // Read once per cycle: the second listener sharing the bundle gets the same text.
    rmSync(join(dir, 'corp-ca.pem'));
    expect(ca('corp-ca.pem')).toBe(PEM);
    expect(problems).toEqual([]);
  });

  it('reads an absolute name as given', () => {
    writeFileSync(join(dir, 'abs.pem'), PEM);
    expect(caFileReader('/nonexistent', () => undefined)(join(dir, 'abs.pem'))).toBe(PEM);
  });

  it('gives nothing for a file it cannot read and says so once, naming the path', () => {
    const problems: string[] = [];
    const ca = caFileReader(dir, (p) => problems.push(p));
    expect(ca('missing.pem')).toBeUndefined();
    expect(ca('missing.pem')).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`cannot read CA file ${join(dir, 'missing.pem')}: `);
    expect(problems[0]).toMatch(/certificates are checked without it$/);
  });

  it('keeps only the certificates, and refuses a file holding a private key, naming it', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    writeFileSync(join(dir, 'noisy.pem'), `subject=CN = Corp\n${PEM}note\n`);
    writeFileSync(join(dir, 'with-key.pem'), `${PEM}${key}`);
    const problems: string[] = [];
    const ca = caFileReader(dir, (p) => problems.push(p));
    expect(ca('noisy.pem')).toBe(PEM);
    expect(ca('with-key.pem')).toBeUndefined();
    expect(problems).toEqual([
      `CA file ${join(dir, 'with-key.pem')} holds a private key: refused (a CA file holds certificates only; keep the key elsewhere); certificates are checked without it`,
    ]);
  });
});
