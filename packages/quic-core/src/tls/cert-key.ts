/**
 * Our own certificate and key: which signature schemes the key can make (RFC 8446 §4.2.3),
 * choosing one the peer accepts, and signing CertificateVerify content.
 * @module
 */
import type { CryptoProvider, SignatureScheme } from '../crypto/provider.ts';
import { parseSpki, type ParsedPublicKey } from '../crypto/asym-keys.ts';
import { keyFitsAlgorithm } from '../crypto/pure-asymmetric.ts';
import { tlsFail } from './alerts.ts';
import type { TlsCertificateKey } from './config.ts';
import { tlsSignatureByCode } from './extensions.ts';
import { parseX509 } from './x509.ts';

/** The public key of a DER certificate. */
export function certificatePublicKey(der: Uint8Array): ParsedPublicKey {
  return parseSpki(parseX509(der).spki);
}

/**
 * The first of `ours` (preference order) that fits the certificate's key and that the peer
 * listed; handshake_failure when there is none.
 */
export function chooseSignatureScheme(
  key: TlsCertificateKey, ours: readonly SignatureScheme[], peerCodes: readonly number[],
): SignatureScheme {
  const leaf = key.chain[0];
  if (!leaf) throw new TypeError('certificate chain is empty');
  const pub = certificatePublicKey(leaf);
  const peer = new Set(peerCodes.map(tlsSignatureByCode).filter((s) => s !== undefined));
  for (const s of ours) if (keyFitsAlgorithm(s, pub) && peer.has(s)) return s;
  tlsFail('handshake_failure', 'no signature scheme in common for our certificate');
}

export function signWith(crypto: CryptoProvider, key: TlsCertificateKey, scheme: SignatureScheme, data: Uint8Array): Uint8Array {
  if (key.sign) return key.sign(scheme, data);
  if (!key.privateKey) throw new TypeError('certificate has neither privateKey nor sign');
  return crypto.sign(scheme, key.privateKey, data);
}

