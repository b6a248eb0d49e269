/**
 * The lab listener's side of STARTTLS: one server TLS context per certificate kind (shared by all
 * listeners on the same certificates), which fault serves which, and the stream that delays TLS
 * records by the listener's latency.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { LabCertificates } from './certs';
import type { ListenerFault } from './listener-faults';

type ServerTls = 'healthy' | 'expired' | 'notYetValid' | 'wrong' | 'anonymous';
const contexts = new WeakMap<LabCertificates, Map<ServerTls, SecureContext>>();

/**
 * Server TLS like an appliance whose inbound list still holds anonymous suites: `ALL` (which
 * includes aNULL) at security level 0, TLS 1.0 to 1.3, the CLIENT's preference order. A client
 * offering aNULL first (an ESA outbound list without -aNULL) gets an ADH/AECDH suite and no
 * certificate; a client with a sane list gets the certificate. eNULL is added so a probe can
 * demonstrate the weak-cipher warning by offering a NULL suite; no normal client offers one.
 */
export function serverContext(certs: LabCertificates, kind: ServerTls): SecureContext {
  let byKind = contexts.get(certs);
  if (!byKind) {
    byKind = new Map();
    contexts.set(certs, byKind);
  }
  let ctx = byKind.get(kind);
  if (!ctx) {
    if (kind === 'anonymous') {
      ctx = createSecureContext({
        ciphers: 'aNULL:@SECLEVEL=0',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.2',
        dhparam: 'auto',
      });
    } else {
      const cert = certs[kind];
      ctx = createSecureContext({
        cert: cert.certPem,
        key: cert.keyPem,
        ciphers: 'ALL:eNULL:@SECLEVEL=0',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.3',
        dhparam: 'auto',
        honorCipherOrder: false,
      });
    }
    byKind.set(kind, ctx);
  }
  return ctx;
}

/** The server TLS a fault calls for (the healthy certificate unless the fault is about TLS). */
export function tlsKindFor(fault: ListenerFault): ServerTls {
  switch (fault) {
    case 'anonymous_only':
      return 'anonymous';
    case 'expired_cert':
      return 'expired';
    case 'not_yet_valid_cert':
      return 'notYetValid';
    case 'wrong_cert':
      return 'wrong';
    default:
      return 'healthy';
  }
}

/** Something that runs a callback after the listener's latency, in order with its replies. */
export interface Scheduler {
  later(fn: () => void): void;
}

/** Passes bytes between a TLS socket and the raw socket, delaying what the server writes. */
export class DelayedStream extends Duplex {
  constructor(
    private readonly raw: Socket,
    private readonly session: Scheduler,
  ) {
    super();
    raw.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('close', () => this.destroy());
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.session.later(() => this.raw.write(chunk));
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.session.later(() => this.raw.end());
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }
}
