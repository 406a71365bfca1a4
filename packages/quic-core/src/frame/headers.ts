/**
 * Headers of the frames that carry data (STREAM, CRYPTO, DATAGRAM), written apart from their data
 * so the packet builder can copy bytes straight from a send buffer without building a frame
 * object, plus the sizes it needs to fit data into the space left in a packet.
 *
 * A frame without a Length field runs to the end of the packet (RFC 9000 §19.8, RFC 9221 §4), so
 * the builder may omit it only for the last frame of a packet.
 * @module
 */
import type { Writer } from '../codec/writer.ts';
import { varintLength } from '../codec/varint.ts';
import { FrameType, StreamFrameBits } from './types.ts';

/** Writes a STREAM frame header (RFC 9000 §19.8); `length` bytes of data must follow. */
export function encodeStreamFrameHeader(
  w: Writer, streamId: number, offset: number, length: number, fin: boolean, withLength: boolean,
): void {
  let type: number = FrameType.STREAM;
  if (offset > 0) type |= StreamFrameBits.OFF;
  if (withLength) type |= StreamFrameBits.LEN;
  if (fin) type |= StreamFrameBits.FIN;
  w.u8(type);
  w.varint(streamId);
  if (offset > 0) w.varint(offset);
  if (withLength) w.varint(length);
}

/** Size of the header {@link encodeStreamFrameHeader} writes. */
export function streamFrameHeaderSize(streamId: number, offset: number, length: number, withLength: boolean): number {
  return 1 + varintLength(streamId) + (offset > 0 ? varintLength(offset) : 0) + (withLength ? varintLength(length) : 0);
}

/**
 * Most STREAM data bytes that fit, with their header, in `space` bytes; -1 when not even the
 * header of an empty frame fits.
 */
export function streamDataCapacity(space: number, streamId: number, offset: number, withLength: boolean): number {
  const base = 1 + varintLength(streamId) + (offset > 0 ? varintLength(offset) : 0);
  return dataCapacity(space - base, withLength);
}

/** Writes a CRYPTO frame header (RFC 9000 §19.6); `length` bytes of data must follow. */
export function encodeCryptoFrameHeader(w: Writer, offset: number, length: number): void {
  w.u8(FrameType.CRYPTO);
  w.varint(offset);
  w.varint(length);
}

/** Size of the header {@link encodeCryptoFrameHeader} writes. */
export function cryptoFrameHeaderSize(offset: number, length: number): number {
  return 1 + varintLength(offset) + varintLength(length);
}

/** Most CRYPTO data bytes that fit, with their header, in `space` bytes; -1 when none. */
export function cryptoDataCapacity(space: number, offset: number): number {
  return dataCapacity(space - 1 - varintLength(offset), true);
}

/** Writes a DATAGRAM frame header (RFC 9221 §4): type 0x31 with a Length, or 0x30 without. */
export function encodeDatagramFrameHeader(w: Writer, length: number, withLength: boolean): void {
  if (withLength) {
    w.u8(FrameType.DATAGRAM_LEN);
    w.varint(length);
  } else {
    w.u8(FrameType.DATAGRAM);
  }
}

/** Size of the header {@link encodeDatagramFrameHeader} writes. */
export function datagramFrameHeaderSize(length: number, withLength: boolean): number {
  return withLength ? 1 + varintLength(length) : 1;
}

/** Largest n with n + (withLength ? varintLength(n) : 0) <= avail, or -1. */
function dataCapacity(avail: number, withLength: boolean): number {
  if (!withLength) return avail >= 0 ? avail : -1;
  // Try each Length-field size; the largest amount that fits its own field size wins.
  let best = -1;
  const n1 = Math.min(avail - 1, 0x3f);
  if (n1 > best) best = n1;
  const n2 = Math.min(avail - 2, 0x3fff);
  if (n2 > best) best = n2;
  const n4 = Math.min(avail - 4, 0x3fffffff);
  if (n4 > best) best = n4;
  const n8 = Math.min(avail - 8, Number.MAX_SAFE_INTEGER);
  if (n8 > best) best = n8;
  return best;
}
