import {
  fingerprint256OfDer,
  fingerprintsEqual,
  matchesPin,
  normalizeFingerprint256,
} from '../../../shared/tls/fingerprint';

const COLON =
  'AE:3C:E7:CC:8F:F8:81:3E:95:DA:54:79:FA:E1:57:4C:5E:4F:FE:F6:F5:7D:B8:A2:EE:A0:0A:01:84:03:DF:99';
const BARE = COLON.replace(/:/g, '').toLowerCase();

describe('fingerprints', () => {
  it('normalises any case, with or without colons or spaces, to Node colon hex', () => {
    expect(normalizeFingerprint256(BARE)).toBe(COLON);
    expect(normalizeFingerprint256(` ${COLON.toLowerCase()} `)).toBe(COLON);
  });

  it.each(['', 'AE:3C', `${BARE}00`, BARE.replace('a', 'g')])('rejects %j', (bad) => {
    expect(normalizeFingerprint256(bad)).toBeNull();
  });

  it('compares and matches pins regardless of form; malformed pins never match', () => {
    expect(fingerprintsEqual(COLON, BARE)).toBe(true);
    expect(fingerprintsEqual(COLON, COLON.replace(/99$/, '98'))).toBe(false);
    expect(fingerprintsEqual('x', 'x')).toBe(false);
    expect(matchesPin(COLON, ['nonsense', BARE])).toBe(true);
    expect(matchesPin(COLON, ['nonsense'])).toBe(false);
    expect(matchesPin(COLON, [])).toBe(false);
  });

  it('computes the SHA-256 of DER bytes in colon hex', () => {
    // SHA-256 of the empty string.
    expect(fingerprint256OfDer(new Uint8Array())).toBe(
      normalizeFingerprint256('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    );
  });
});
