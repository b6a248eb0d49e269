/**
 * Certificates of the lab, generated at start (nothing on disk): a lab CA, the healthy listener
 * certificate and the broken ones each fault needs. RSA because appliance certificates are RSA.
 * Generate once per lab and share across listeners: 1,000 listeners then start in milliseconds.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { fingerprint256OfDer } from '../shared/tls/fingerprint';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// @peculiar/x509 signs through WebCrypto; Node's implementation is the provider.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** One certificate and its private key, PEM. */
export interface LabCertificate {
  certPem: string;
  keyPem: string;
  /** Node colon hex. */
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
}

/** Everything the lab's listeners present, generated together. */
export interface LabCertificates {
  /** The name in the certificates' CN and SANs (with `localhost`, 127.0.0.1 and ::1). */
  hostname: string;
  ca: LabCertificate;
  /** Signed by the CA, valid from a day ago for a year. */
  healthy: LabCertificate;
  /** Same key as healthy, expired yesterday. */
  expired: LabCertificate;
  /** Same key as healthy, valid from in 30 days. */
  notYetValid: LabCertificate;
  /** Another key (so another fingerprint), same names and CA: a pin mismatch, nothing else. */
  wrong: LabCertificate;
}

const DAY = 86_400_000;
const RSA: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

async function rsaKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

function toLabCertificate(cert: x509.X509Certificate, key: string): LabCertificate {
  return {
    certPem: cert.toString('pem'),
    keyPem: key,
    fingerprint256: fingerprint256OfDer(new Uint8Array(cert.rawData)),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/** DN attribute values are quoted when they hold characters that RFC 4514 escapes. */
function cn(name: string): string {
  return /[,+"\\<>;=]/.test(name) ? `CN="${name.replace(/["\\]/g, '\\$&')}"` : `CN=${name}`;
}

/** Generates the lab CA and every listener certificate (three RSA-2048 keys, generated in parallel). */
export async function createLabCertificates(opts: { hostname?: string } = {}): Promise<LabCertificates> {
  const hostname = opts.hostname ?? 'cpq-lab.localdomain';
  const [caKeys, leafKeys, wrongKeys] = await Promise.all([rsaKeys(), rsaKeys(), rsaKeys()]);
  const now = Date.now();
  const caName = 'CN=cpq-monitor lab CA, O=cpq-monitor lab';
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: caName,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const names: Array<{ type: 'dns' | 'ip'; value: string }> = [
    { type: isIP(hostname) ? 'ip' : 'dns', value: hostname },
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
  ].filter((n, i, all) => all.findIndex((m) => m.value === n.value) === i) as Array<{
    type: 'dns' | 'ip';
    value: string;
  }>;
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey);

  let serial = 2;
  const leaf = async (keys: CryptoKeyPair, notBefore: number, notAfter: number) =>
    x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      subject: `${cn(hostname)}, O=cpq-monitor lab`,
      issuer: caName,
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension(names),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        authorityKeyId,
      ],
    });

  const [leafKey, wrongKey, caKey] = await Promise.all([
    keyPem(leafKeys.privateKey),
    keyPem(wrongKeys.privateKey),
    keyPem(caKeys.privateKey),
  ]);
  const [healthy, expired, notYetValid, wrong] = await Promise.all([
    leaf(leafKeys, now - DAY, now + 365 * DAY),
    leaf(leafKeys, now - 400 * DAY, now - DAY),
    leaf(leafKeys, now + 30 * DAY, now + 395 * DAY),
    leaf(wrongKeys, now - DAY, now + 365 * DAY),
  ]);
  return {
    hostname,
    ca: toLabCertificate(ca, caKey),
    healthy: toLabCertificate(healthy, leafKey),
    expired: toLabCertificate(expired, leafKey),
    notYetValid: toLabCertificate(notYetValid, leafKey),
    wrong: toLabCertificate(wrong, wrongKey),
  };
}
