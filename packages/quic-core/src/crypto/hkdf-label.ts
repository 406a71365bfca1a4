/**
 * HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1), used by TLS 1.3 and by QUIC packet
 * protection (RFC 9001 §5.1).
 * @module
 */
import type { HashAlgorithm, SymmetricCrypto } from './provider.ts';
import { HASH_LENGTH } from './provider.ts';

const encoder = new TextEncoder();

/** The HkdfLabel structure: uint16 length, opaque label<7..255> ("tls13 " + label), opaque context<0..255>. */
export function hkdfLabelInfo(label: string, context: Uint8Array, length: number): Uint8Array {
  const full = encoder.encode('tls13 ' + label);
  if (full.length > 255 || context.length > 255) throw new RangeError('HKDF label or context too long');
  const info = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = context.length;
  info.set(context, 4 + full.length);
  return info;
}

const EMPTY = new Uint8Array(0);

export function hkdfExpandLabel(
  crypto: SymmetricCrypto, hash: HashAlgorithm, secret: Uint8Array, label: string, context: Uint8Array, length: number,
): Uint8Array {
  return crypto.hkdfExpand(hash, secret, hkdfLabelInfo(label, context, length), length);
}

/** Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash, Hash.length). */
export function deriveSecret(
  crypto: SymmetricCrypto, hash: HashAlgorithm, secret: Uint8Array, label: string, transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(crypto, hash, secret, label, transcriptHash, HASH_LENGTH[hash]);
}

export { EMPTY as EMPTY_CONTEXT };
