/**
 * The benchmark certificate: one self-signed ECDSA P-256 certificate, made by the parent and
 * passed to the children as a JSON file of PEM text, so QUIC and node:tls use the same key type.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface BenchCert {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the DER certificate, hex. */
  readonly sha256: string;
}

export async function makeCert(): Promise<BenchCert> {
  const { generateSelfSignedCertificate } = await import('@quicts/quic-core');
  const { createNodeCryptoProvider } = await import('@quicts/quic-core/node');
  const c = generateSelfSignedCertificate(createNodeCryptoProvider(), { now: Date.now(), names: ['localhost', '127.0.0.1'] });
  return { cert: c.certificatePem, key: c.privateKeyPem, sha256: Buffer.from(c.sha256).toString('hex') };
}

export function writeCert(file: string, cert: BenchCert): void {
  writeFileSync(file, JSON.stringify(cert));
}

export function readCert(file: string): BenchCert {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchCert;
}

export function hashBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
