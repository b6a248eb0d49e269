import { certificateFactsFromX509 } from '../../../shared/tls/certificate';
import { certificateNamesHost, parseCaBundle, verifyChain } from '../../../shared/tls/verify';
import { DAY, type Made, make } from './certificates';

let root: Made;
let intermediate: Made;
let leaf: Made;

beforeAll(async () => {
  root = await make('CN=Test Root', { ca: true });
  intermediate = await make('CN=Test Intermediate', { issuer: root, ca: true });
  leaf = await make('CN=sma.example.com', {
    issuer: intermediate,
    sans: [
      { type: 'dns', value: 'sma.example.com' },
      { type: 'dns', value: '*.quarantine.example.com' },
      { type: 'ip', value: '10.1.2.3' },
    ],
  });
});

describe('verifyChain', () => {
  it('verifies through an intermediate the peer sent', () => {
    expect(verifyChain(leaf.cert, [root.cert], [intermediate.cert])).toEqual({ error: null, detail: null });
  });

  it('accepts an intermediate in the bundle as the anchor', () => {
    expect(verifyChain(leaf.cert, [intermediate.cert]).error).toBeNull();
  });

  it('fails without the intermediate, naming where the chain stops', () => {
    const v = verifyChain(leaf.cert, [root.cert]);
    expect(v.error).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(v.detail).toContain('sma.example.com');
  });

  it('fails against an unrelated CA, and for a self-signed leaf', async () => {
    const other = await make('CN=Other Root', { ca: true });
    expect(verifyChain(leaf.cert, [other.cert], [intermediate.cert]).error).toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    // The peer sent its whole chain up to its own root: that root is not ours.
    expect(verifyChain(leaf.cert, [other.cert], [intermediate.cert, root.cert]).error).toBe(
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    const self = await make('CN=self.example');
    expect(verifyChain(self.cert, [root.cert]).error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('trusts a pinned self-signed certificate placed in the bundle', async () => {
    const self = await make('CN=self.example');
    expect(verifyChain(self.cert, [self.cert]).error).toBeNull();
  });

  it('refuses an issuer that is not a CA', async () => {
    const notCa = await make('CN=not a ca', { issuer: root, ca: false });
    const below = await make('CN=below', { issuer: notCa });
    expect(verifyChain(below.cert, [root.cert], [notCa.cert]).error).toBe('INVALID_CA');
  });

  it('reports a leaf date error only once the chain is trusted, and an out-of-date intermediate as such', async () => {
    const expired = await make('CN=old', { issuer: root, from: Date.now() - 90 * DAY, to: Date.now() - DAY });
    expect(verifyChain(expired.cert, [root.cert]).error).toBe('CERT_HAS_EXPIRED');
    const early = await make('CN=early', { issuer: root, from: Date.now() + DAY, to: Date.now() + 9 * DAY });
    expect(verifyChain(early.cert, [root.cert]).error).toBe('CERT_NOT_YET_VALID');
    const oldCa = await make('CN=Old Intermediate', {
      issuer: root,
      ca: true,
      from: Date.now() - 90 * DAY,
      to: Date.now() - DAY,
    });
    const under = await make('CN=under', { issuer: oldCa });
    const v = verifyChain(under.cert, [root.cert], [oldCa.cert]);
    expect(v.error).toBe('CERT_HAS_EXPIRED');
    expect(v.detail).toContain('Old Intermediate');
  });
});

describe('certificateNamesHost', () => {
  it('matches DNS names, one-label wildcards and IP addresses', () => {
    expect(certificateNamesHost(leaf.cert, 'sma.example.com')).toBe(true);
    expect(certificateNamesHost(leaf.cert, 'SMA.example.com.')).toBe(true);
    expect(certificateNamesHost(leaf.cert, 'eu.quarantine.example.com')).toBe(true);
    expect(certificateNamesHost(leaf.cert, 'a.eu.quarantine.example.com')).toBe(false);
    expect(certificateNamesHost(leaf.cert, '10.1.2.3')).toBe(true);
    expect(certificateNamesHost(leaf.cert, '10.1.2.4')).toBe(false);
    expect(certificateNamesHost(leaf.cert, 'esa.example.com')).toBe(false);
  });
});

describe('parseCaBundle and facts from X509Certificate', () => {
  it('reads every certificate of a bundle', () => {
    const bundle = `${root.cert.toString()}\n# comment\n${intermediate.cert.toString()}`;
    expect(parseCaBundle(bundle).map((c) => c.subject)).toEqual(['CN=Test Root', 'CN=Test Intermediate']);
    expect(parseCaBundle(Buffer.from('no certificates here'))).toEqual([]);
  });

  it('gives the same facts shape as from a Node peer certificate', () => {
    const facts = certificateFactsFromX509(
      leaf.cert,
      new Date(Date.parse(leaf.cert.validTo) - 5 * DAY - 1000),
    );
    expect(facts).toMatchObject({
      subject: 'CN=sma.example.com',
      issuer: 'CN=Test Intermediate',
      subjectAltNames: ['DNS:sma.example.com', 'DNS:*.quarantine.example.com', 'IP Address:10.1.2.3'],
      fingerprint256: leaf.cert.fingerprint256,
      daysRemaining: 5,
    });
    expect(facts.validTo).toBe(new Date(leaf.cert.validTo).toISOString());
  });
});
