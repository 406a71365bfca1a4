/**
 * Turns the public API's TLS options (PEM text, verification choices, key log file) into the
 * engine's TLS configuration. PEM private keys of any kind (PKCS#8, SEC1, PKCS#1) are converted
 * to PKCS#8 with node:crypto.
 * @module
 */
import { createPrivateKey } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { TlsCertificateKey } from '../tls/config.ts';
import type { TlsCertificateVerification } from '../tls/cert-verify.ts';
import { pemToDerList } from '../tls/x509.ts';

/** A server certificate: the chain (leaf first) and its private key, as PEM text or DER bytes. */
export interface CertificateOptions {
  /** PEM text with one or more CERTIFICATE blocks, or the leaf's DER. */
  readonly cert: string | Uint8Array;
  /** PEM private key (PKCS#8, SEC1 or PKCS#1), or PKCS#8 DER. */
  readonly key: string | Uint8Array;
}

/** How a client checks the server's certificate. */
export type VerifyOptions =
  /** Chain to these trust anchors (PEM text or DER) and match the server name. */
  | { readonly ca: string | Uint8Array | readonly (string | Uint8Array)[] }
  /** Accept exactly these certificates, by SHA-256 of the DER (W3C serverCertificateHashes rules). */
  | { readonly serverCertificateHashes: readonly Uint8Array[] }
  /** Accept any certificate (the handshake signature is still checked). For tests and interop only. */
  | { readonly insecure: true };

export function certificateKey(options: CertificateOptions): TlsCertificateKey {
  const chain = typeof options.cert === 'string' ? pemToDerList(options.cert) : [options.cert];
  if (chain.length === 0) throw new TypeError('no CERTIFICATE block in the certificate PEM');
  const privateKey = typeof options.key === 'string'
    ? new Uint8Array(createPrivateKey(options.key).export({ format: 'der', type: 'pkcs8' }))
    : options.key;
  return { chain, privateKey };
}

export function certificateVerification(verify: VerifyOptions | undefined): TlsCertificateVerification {
  if (verify === undefined) return { mode: 'chain', trustAnchors: [...tls.rootCertificates] };
  if ('insecure' in verify) return { mode: 'insecure-accept-any' };
  if ('serverCertificateHashes' in verify) return { mode: 'server-certificate-hashes', hashes: verify.serverCertificateHashes };
  const ca = verify.ca;
  return { mode: 'chain', trustAnchors: typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca] };
}

/** An SSLKEYLOGFILE writer (NSS key log format), or undefined when logging is off. */
export function keylogWriter(file: string | undefined): ((lines: string[]) => void) | undefined {
  if (!file) return undefined;
  return (lines) => {
    try {
      appendFileSync(file, lines.map((l) => l + '\n').join(''));
    } catch {
      // Key logging is a debugging aid: failing to write must not break the connection.
    }
  };
}
