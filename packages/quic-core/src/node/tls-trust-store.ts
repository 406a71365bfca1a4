/**
 * The system trust store for certificate verification: a PEM bundle read from disk (for example
 * /etc/ssl/certs/ca-certificates.crt), parsed once, for `verify: { mode: 'chain', trustAnchors }`.
 * Node-only (file access); the verification itself stays in the sans-IO engine.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseX509, pemToDerList } from '../tls/x509.ts';

/** Where common systems keep their PEM bundle, most common first. */
export const SYSTEM_TRUST_STORE_PATHS: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine, Arch
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS, OpenBSD, Alpine
];

export interface TlsTrustStore {
  /** DER certificates, ready for `trustAnchors`. */
  readonly anchors: readonly Uint8Array[];
  /** CERTIFICATE blocks that did not parse as X.509 and were left out. */
  readonly skipped: number;
  readonly path: string;
}

/** Reads a PEM bundle; unparsable certificates are skipped (and counted), not fatal. */
export function loadTrustStore(path: string): TlsTrustStore {
  const pem = readFileSync(path, 'utf8');
  const anchors: Uint8Array[] = [];
  let skipped = 0;
  for (const der of pemToDerList(pem)) {
    try {
      parseX509(der);
      anchors.push(der);
    } catch {
      skipped++;
    }
  }
  return { anchors, skipped, path };
}

/** The first of `paths` that exists and holds at least one certificate, or undefined. */
export function loadSystemTrustStore(paths: readonly string[] = SYSTEM_TRUST_STORE_PATHS): TlsTrustStore | undefined {
  for (const path of paths) {
    try {
      const store = loadTrustStore(path);
      if (store.anchors.length) return store;
    } catch {
      // not there: try the next one
    }
  }
  return undefined;
}
