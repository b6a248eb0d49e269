/** Checks a host key given on the command line (`read --host-key`, `init --accept-host-keys`). */
import { isFingerprint } from '../shared/asyncos/fingerprint';
import { ConfigError } from '../shared/errors';

/** `MD5:aa:bb:…` (as `init` shows it beside the SHA256 form) or the bare 16 colon-separated pairs. */
const MD5_FORM = /^(MD5:)?([0-9a-f]{2}:){15}[0-9a-f]{2}$/i;

/**
 * Throws a usage error unless `value` is an OpenSSH SHA256 fingerprint. The MD5 form gets its
 * own answer: it is shown only to compare with consoles that print it, and the monitor pins the
 * SHA256 form (docs/onboarding.md#host-keys).
 */
export function checkFingerprintFlag(flag: string, value: string): void {
  if (isFingerprint(value)) return;
  if (MD5_FORM.test(value.trim())) {
    throw new ConfigError(
      `${flag} "${value}" is the MD5 form of a host key: MD5 is for comparing with a console that prints it; pin the SHA256 form (SHA256:<43 base64 chars>) shown beside it by init and read --print-host-key`,
    );
  }
  throw new ConfigError(`${flag} "${value}" is not an OpenSSH fingerprint like SHA256:<43 base64 chars>`);
}
