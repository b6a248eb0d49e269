/** Test certificates made on the fly (ECDSA P-256): a root, intermediates and leaves with chosen dates and names. */
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** A certificate with its keys, so that it can issue others. */
export interface Made {
  cert: X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  name: string;
}

export const DAY = 86_400_000;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** A certificate named `name`, self-signed unless `issuer` is given; valid from a day ago for 30 days by default. */
export async function make(
  name: string,
  opts: {
    issuer?: Made;
    ca?: boolean;
    from?: number;
    to?: number;
    sans?: Array<{ type: 'dns' | 'ip'; value: string }>;
  } = {},
): Promise<Made> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.ca ?? false, undefined, true),
  ];
  if (opts.sans) extensions.push(new x509.SubjectAlternativeNameExtension(opts.sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Math.floor(Math.random() * 1e9).toString(16),
    subject: name,
    issuer: opts.issuer?.name ?? name,
    notBefore: new Date(opts.from ?? now - DAY),
    notAfter: new Date(opts.to ?? now + 30 * DAY),
    publicKey: keys.publicKey,
    signingKey: (opts.issuer?.keys ?? keys).privateKey,
    signingAlgorithm: ALG,
    extensions,
  });
  return { cert: new X509Certificate(cert.toString('pem')), keys, name };
}
