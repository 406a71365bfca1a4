/**
 * Retry packets (RFC 9000 §17.2.5) and their integrity tag (RFC 9001 §5.8, RFC 9369 §3.3.3).
 * @module
 */
import type { SymmetricCrypto } from '../crypto/provider.ts';
import { Writer } from '../codec/writer.ts';
import { bytesEqual } from '../codec/hex.ts';
import { longPacketTypeBits, versionConstants } from './version.ts';
import { MAX_CID_LENGTH, type RetryPacket } from './header.ts';

const EMPTY = new Uint8Array(0);

/**
 * The Retry integrity tag: AES-128-GCM with the version's fixed key and nonce, over an empty
 * plaintext, with the Retry Pseudo-Packet (ODCID length, ODCID, Retry packet without tag) as AAD.
 */
export function retryIntegrityTag(
  crypto: SymmetricCrypto, version: number, originalDcid: Uint8Array, retryWithoutTag: Uint8Array,
): Uint8Array {
  const { retryKey, retryNonce } = versionConstants(version);
  const pseudo = new Uint8Array(1 + originalDcid.length + retryWithoutTag.length);
  pseudo[0] = originalDcid.length;
  pseudo.set(originalDcid, 1);
  pseudo.set(retryWithoutTag, 1 + originalDcid.length);
  return crypto.aead('aes-128-gcm', retryKey).seal(retryNonce, pseudo, EMPTY);
}

export interface RetryFields {
  readonly version: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  readonly token: Uint8Array;
  /** The four unused low bits of the first byte (RFC 9000 §17.2.5: set to arbitrary values). */
  readonly unusedBits?: number;
}

/** Builds a complete Retry packet, tag included. */
export function encodeRetryPacket(crypto: SymmetricCrypto, fields: RetryFields, originalDcid: Uint8Array): Uint8Array {
  if (fields.dcid.length > MAX_CID_LENGTH || fields.scid.length > MAX_CID_LENGTH) throw new RangeError('connection ID longer than 20 bytes');
  if (fields.token.length === 0) throw new RangeError('a Retry token must not be empty'); // RFC 9000 §17.2.5.1
  const w = new Writer(64 + fields.token.length);
  w.u8(0xc0 | (longPacketTypeBits(fields.version, 'retry') << 4) | ((fields.unusedBits ?? 0) & 0x0f));
  w.u32(fields.version);
  w.vec8(fields.dcid);
  w.vec8(fields.scid);
  w.bytes(fields.token);
  const tag = retryIntegrityTag(crypto, fields.version, originalDcid, w.view());
  w.bytes(tag);
  return w.finish();
}

/** Checks a received Retry packet's integrity tag against the client's original DCID. */
export function verifyRetryIntegrity(crypto: SymmetricCrypto, datagram: Uint8Array, packet: RetryPacket, originalDcid: Uint8Array): boolean {
  const withoutTag = datagram.subarray(packet.start, packet.end - 16);
  return bytesEqual(retryIntegrityTag(crypto, packet.version, originalDcid, withoutTag), packet.integrityTag);
}
