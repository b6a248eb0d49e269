/** The probe's options checked before any connection: what cannot work is said per option. */
import { DEFAULT_CIPHERS } from 'node:tls';
import { errorMessage } from '../errors';
import { clientTlsSettings, secureContextFor } from '../tls/client-context';
import { parseCaBundle } from '../tls/verify';
import { tlsVersionRank } from '../tls/versions';
import type { ProbeOptions } from './types';

/** Which option a problem of `checkProbeOptions` is about (the caller names it in its own words). */
export type ProbeOptionField = 'ciphers' | 'minVersion' | 'maxVersion' | 'ca';

/**
 * Why the options cannot work (bad cipher string, min above max...) and which option each
 * sentence is about, else null.
 */
export function checkProbeOptions(opts: ProbeOptions): { field: ProbeOptionField; message: string } | null {
  if (
    opts.minVersion &&
    opts.maxVersion &&
    tlsVersionRank(opts.minVersion) > tlsVersionRank(opts.maxVersion)
  ) {
    return {
      field: 'minVersion',
      message: `minimum TLS version ${opts.minVersion} is above maximum ${opts.maxVersion}`,
    };
  }
  try {
    secureContextFor(clientTlsSettings(opts));
  } catch (err) {
    // A bad version is caught above or by the type; what OpenSSL refuses here is the cipher string.
    return {
      field: 'ciphers',
      message: `OpenSSL refuses the cipher list "${opts.ciphers ?? DEFAULT_CIPHERS}": ${errorMessage(err)}`,
    };
  }
  if (opts.ca !== undefined) {
    try {
      if (parseCaBundle(opts.ca).length === 0)
        return { field: 'ca', message: 'the CA bundle holds no PEM certificate' };
    } catch (err) {
      return { field: 'ca', message: `the CA bundle does not parse: ${errorMessage(err)}` };
    }
  }
  return null;
}
