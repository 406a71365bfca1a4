/**
 * Generates a self-signed ECDSA P-256 certificate suitable for the W3C WebTransport
 * `serverCertificateHashes` option (validity at most 14 days), synchronously with the crypto
 * provider. The caller passes the current wall-clock time.
 * @module
 */
import type { CryptoProvider } from '../crypto/provider.ts';
import { Oid, encodeEcPkcs8, encodeEcSpki } from '../crypto/asym-keys.ts';
import {
  derBitString, derContext, derEncode, derInteger, derOctetString, derOid, derSequence, derSet, derTime, derUtf8,
} from '../crypto/der.ts';
import { SERVER_CERTIFICATE_HASHES_MAX_VALIDITY_MS, parseIpAddress } from './cert-verify.ts';
import { derToPem } from './x509.ts';

export interface TlsSelfSignedOptions {
  /** Wall-clock time in milliseconds since the epoch. */
  readonly now: number;
  /** DNS names and IP literals for subjectAltName (default ['localhost']). */
  readonly names?: readonly string[];
  /** Validity in days, at most 14 (default 13). The period starts one hour before `now`. */
  readonly validityDays?: number;
  /** Subject common name (default the first name). */
  readonly commonName?: string;
}

export interface TlsSelfSignedCertificate {
  readonly certificateDer: Uint8Array;
  readonly privateKeyPkcs8: Uint8Array;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** SHA-256 of the DER certificate (the serverCertificateHashes value). */
  readonly sha256: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
}

export function generateSelfSignedCertificate(crypto: CryptoProvider, options: TlsSelfSignedOptions): TlsSelfSignedCertificate {
  const names = options.names ?? ['localhost'];
  const days = options.validityDays ?? 13;
  const notBefore = Math.floor(options.now / 1000) * 1000 - 3600_000;
  const notAfter = notBefore + days * 24 * 3600_000;
  if (!(days > 0) || notAfter - notBefore > SERVER_CERTIFICATE_HASHES_MAX_VALIDITY_MS) throw new RangeError('validityDays must be in (0, 14]');
  const kp = crypto.keyExchangeGenerate('secp256r1');
  const privateKeyPkcs8 = encodeEcPkcs8('P-256', kp.privateKey, kp.publicKey);
  const spki = encodeEcSpki('P-256', kp.publicKey);
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f; // positive (RFC 5280 §4.1.2.2)
  serial[0]! |= 0x01;
  const name = derSequence(derSet(derSequence(derOid('2.5.4.3'), derUtf8(options.commonName ?? names[0] ?? 'localhost'))));
  const sanEntries = names.map((n) => {
    const ip = parseIpAddress(n);
    return ip ? derEncode(0x87, ip) : derEncode(0x82, new TextEncoder().encode(n));
  });
  const ext = (oid: string, critical: boolean, value: Uint8Array) =>
    derSequence(derOid(oid), ...(critical ? [Uint8Array.of(0x01, 0x01, 0xff)] : []), derOctetString(value));
  const extensions = derSequence(
    ext('2.5.29.19', true, derSequence()), // basicConstraints: not a CA
    ext('2.5.29.15', true, Uint8Array.of(0x03, 0x02, 0x07, 0x80)), // keyUsage: digitalSignature
    ext('2.5.29.37', false, derSequence(derOid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
    ext('2.5.29.17', false, derSequence(...sanEntries)),
  );
  const sigAlg = derSequence(derOid(Oid.ECDSA_SHA256));
  const tbs = derSequence(
    derContext(0, derInteger(2)), derEncode(0x02, serial), sigAlg, name,
    derSequence(derTime(notBefore), derTime(notAfter)), name, spki, derContext(3, extensions),
  );
  const signature = crypto.sign('ecdsa_secp256r1_sha256', privateKeyPkcs8, tbs);
  const certificateDer = derSequence(tbs, sigAlg, derBitString(signature));
  return {
    certificateDer, privateKeyPkcs8,
    certificatePem: derToPem(certificateDer), privateKeyPem: derToPem(privateKeyPkcs8, 'PRIVATE KEY'),
    sha256: crypto.hash('sha256', certificateDer), notBefore, notAfter,
  };
}
