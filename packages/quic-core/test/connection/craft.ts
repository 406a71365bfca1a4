/**
 * Hand-made packets for malformed-input tests: a payload of our choosing protected with one
 * side's real keys, so that it passes packet protection and reaches the peer's frame handling.
 */
import {
  Writer, encodeFrame, packetNumberLength, patchLongHeaderLength, protectPacket, writeLongHeader, writeShortHeader,
  type Connection, type Frame,
} from '@quicts/quic-core';

const TAG = 16;

/** Encodes frames into one payload. */
export function framesPayload(...frames: Frame[]): Uint8Array {
  const w = new Writer(256);
  for (const f of frames) encodeFrame(w, f);
  return w.finish();
}

/** A 1-RTT packet from `from` (its current keys, DCID and next packet number) with `payload`. */
export function shortPacket(from: Connection, payload: Uint8Array, options: { firstByteBits?: number; dcid?: Uint8Array } = {}): Uint8Array {
  const keys = from.oneRtt!;
  const space = from.spaces[2];
  const pn = space.nextPn++;
  const pnLength = packetNumberLength(pn, from.recovery.loss.largestAcked(2));
  // Room for the header-protection sample (RFC 9001 §5.4.2).
  const body = payload.length >= 4 ? payload : padded(payload, 4);
  const buf = new Uint8Array(1 + 20 + 4 + body.length + TAG);
  const w = Writer.into(buf);
  const pnOffset = writeShortHeader(w, { dcid: options.dcid ?? from.peerCid, keyPhase: keys.writePhase }, pn, pnLength);
  if (options.firstByteBits) buf[0]! |= options.firstByteBits;
  w.bytes(body);
  const end = protectPacket(keys.writeKeys, buf, 0, pnOffset, pnLength, pn, w.pos);
  keys.onPacketSent(pn);
  return buf.subarray(0, end);
}

/** An Initial or Handshake packet from `from` with `payload`, padded to 1200 bytes for an Initial. */
export function longPacket(from: Connection, type: 'initial' | 'handshake', payload: Uint8Array): Uint8Array {
  const space = from.spaces[type === 'initial' ? 0 : 1];
  const keys = space.writeKeys!;
  const pn = space.nextPn++;
  const body = type === 'initial' ? padded(payload, 1100) : payload.length >= 4 ? payload : padded(payload, 4);
  const buf = new Uint8Array(64 + 20 + body.length + TAG + from.token.length);
  const w = Writer.into(buf);
  const token = type === 'initial' && from.side === 'client' ? from.token : undefined;
  const pnOffset = writeLongHeader(w, { type, version: from.version, dcid: from.peerCid, scid: from.localCid, ...(token ? { token } : {}) }, pn, 4, 0, 2);
  w.bytes(body);
  patchLongHeaderLength(buf, pnOffset - 2, 2, w.pos - pnOffset + TAG);
  const end = protectPacket(keys, buf, 0, pnOffset, 4, pn, w.pos);
  return buf.subarray(0, end);
}

/** `payload` followed by PADDING up to `size` bytes. */
function padded(payload: Uint8Array, size: number): Uint8Array {
  if (payload.length >= size) return payload;
  const out = new Uint8Array(size);
  out.set(payload);
  return out;
}
