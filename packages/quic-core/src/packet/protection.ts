/**
 * Packet protection (RFC 9001 §5.3) and header protection (RFC 9001 §5.4), applied in place on a
 * packet buffer so the send path makes no extra copy of the payload.
 * @module
 */
import { AEAD_TAG_LENGTH } from '../crypto/provider.ts';
import type { PacketProtectionKeys } from '../crypto/packet-keys.ts';
import type { HeaderProtectionKey } from '../crypto/provider.ts';
import { decodePacketNumber } from './packet-number.ts';

/** RFC 9001 §5.4.2: the sample starts 4 bytes after the start of the Packet Number field. */
const SAMPLE_OFFSET = 4;
const SAMPLE_LENGTH = 16;

/** RFC 9001 §5.3: the nonce is the IV XORed with the packet number, left-padded to 12 bytes. */
export function packetNonce(iv: Uint8Array, pn: number, out: Uint8Array = new Uint8Array(12)): Uint8Array {
  out.set(iv);
  let value = pn;
  for (let i = 11; i >= 4 && value > 0; i--) {
    out[i] = out[i]! ^ (value % 256);
    value = Math.floor(value / 256);
  }
  return out;
}

/**
 * Protects a packet in place. `buf[start..payloadEnd)` holds the packet: header with the
 * unprotected packet number at `pnOffset` (`pnLength` bytes), then the plaintext payload; `buf`
 * must have 16 bytes of room after `payloadEnd` for the tag. Returns the end of the protected packet.
 * Throws RangeError if the payload is too short to sample (the builder must pad, RFC 9001 §5.4.2).
 */
export function protectPacket(
  keys: PacketProtectionKeys, buf: Uint8Array, start: number, pnOffset: number, pnLength: number, pn: number, payloadEnd: number,
): number {
  const headerEnd = pnOffset + pnLength;
  const end = payloadEnd + AEAD_TAG_LENGTH;
  if (end > buf.length) throw new RangeError('no room for the AEAD tag');
  if (pnOffset + SAMPLE_OFFSET + SAMPLE_LENGTH > end) throw new RangeError('packet too short for a header-protection sample');
  const nonce = packetNonce(keys.iv, pn);
  keys.aead.seal(nonce, buf.subarray(start, headerEnd), buf.subarray(headerEnd, payloadEnd), buf.subarray(headerEnd, end));
  applyHeaderProtection(keys.hp, buf, start, pnOffset, pnLength);
  return end;
}

/** Masks the first byte's low bits and the packet number (RFC 9001 §5.4.1). */
export function applyHeaderProtection(hp: HeaderProtectionKey, buf: Uint8Array, start: number, pnOffset: number, pnLength: number): void {
  const sampleStart = pnOffset + SAMPLE_OFFSET;
  const mask = hp.mask(buf.subarray(sampleStart, sampleStart + SAMPLE_LENGTH));
  const isLong = (buf[start]! & 0x80) !== 0;
  buf[start] = buf[start]! ^ (mask[0]! & (isLong ? 0x0f : 0x1f));
  for (let i = 0; i < pnLength; i++) buf[pnOffset + i] = buf[pnOffset + i]! ^ mask[1 + i]!;
}

export interface UnmaskedHeader {
  /** The first byte with header protection removed. */
  readonly firstByte: number;
  readonly pnLength: 1 | 2 | 3 | 4;
  /** The packet number as sent (truncated). */
  readonly truncatedPn: number;
}

/**
 * Removes header protection in place (RFC 9001 §5.4.1) and reads the truncated packet number.
 * The caller has checked that the packet holds the sample (the header parser does).
 */
export function removeHeaderProtection(hp: HeaderProtectionKey, buf: Uint8Array, start: number, pnOffset: number): UnmaskedHeader {
  const sampleStart = pnOffset + SAMPLE_OFFSET;
  if (sampleStart + SAMPLE_LENGTH > buf.length) throw new RangeError('packet too short for a header-protection sample');
  const mask = hp.mask(buf.subarray(sampleStart, sampleStart + SAMPLE_LENGTH));
  const isLong = (buf[start]! & 0x80) !== 0;
  const firstByte = buf[start]! ^ (mask[0]! & (isLong ? 0x0f : 0x1f));
  buf[start] = firstByte;
  const pnLength = ((firstByte & 0x03) + 1) as 1 | 2 | 3 | 4;
  let truncatedPn = 0;
  for (let i = 0; i < pnLength; i++) {
    const b = buf[pnOffset + i]! ^ mask[1 + i]!;
    buf[pnOffset + i] = b;
    truncatedPn = truncatedPn * 256 + b;
  }
  return { firstByte, pnLength, truncatedPn };
}

/**
 * Decrypts a packet whose header protection was removed. `end` is the end of the packet
 * (payload + tag). Returns the plaintext payload, or null when authentication fails.
 */
export function decryptPacketPayload(
  keys: PacketProtectionKeys, buf: Uint8Array, start: number, headerEnd: number, end: number, pn: number,
): Uint8Array | null {
  if (end - headerEnd < AEAD_TAG_LENGTH) return null;
  const nonce = packetNonce(keys.iv, pn);
  return keys.aead.open(nonce, buf.subarray(start, headerEnd), buf.subarray(headerEnd, end));
}

export interface UnprotectedPacket extends UnmaskedHeader {
  readonly pn: number;
  readonly payload: Uint8Array;
}

/**
 * Header-protection removal, packet-number recovery (RFC 9000 §17.1) and payload decryption in
 * one call, for packets whose keys are already known. `largestPn` is the largest packet number
 * received in this space (-1 when none). Returns null when authentication fails.
 */
export function unprotectPacket(
  keys: PacketProtectionKeys, buf: Uint8Array, start: number, pnOffset: number, end: number, largestPn: number,
): UnprotectedPacket | null {
  if (pnOffset + SAMPLE_OFFSET + SAMPLE_LENGTH > end) return null; // cannot be sampled: drop
  const header = removeHeaderProtection(keys.hp, buf, start, pnOffset);
  const pn = decodePacketNumber(largestPn, header.truncatedPn, header.pnLength * 8);
  const payload = decryptPacketPayload(keys, buf, start, pnOffset + header.pnLength, end, pn);
  if (!payload) return null;
  return { ...header, pn, payload };
}
