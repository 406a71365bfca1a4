/**
 * Packet headers (RFC 9000 §17): parsing the parts that are readable before keys are known
 * (header protection still applied), and writing long and short headers.
 *
 * Parsing follows quinn's "partial decode": the invariant fields (RFC 8999), then, for versions
 * we speak, the version-specific fields up to the packet-number offset. Header protection is
 * removed later by `protection.ts`, once the right keys are chosen.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { DecodeError } from '../errors.ts';
import { encodeVarintAt } from '../codec/varint.ts';
import { isSupportedVersion, longPacketTypeBits, longPacketTypeFromBits, type LongPacketType } from './version.ts';

/** RFC 9000 §17.2: in QUIC v1 and v2, connection IDs are at most 20 bytes. */
export const MAX_CID_LENGTH = 20;
/** RFC 8999 §5.1: version-independent maximum connection ID length. */
export const MAX_INVARIANT_CID_LENGTH = 255;

const HEADER_FORM_LONG = 0x80;
const FIXED_BIT = 0x40;

/** A long-header packet carrying a packet number: Initial, 0-RTT or Handshake. */
export interface LongHeaderPacket {
  readonly kind: 'long';
  readonly type: Exclude<LongPacketType, 'retry'>;
  readonly version: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  /** Initial packets only; empty otherwise. */
  readonly token: Uint8Array;
  /** Offset of the packet start within the datagram. */
  readonly start: number;
  /** Offset of the (protected) packet number within the datagram. */
  readonly pnOffset: number;
  /** Offset one past the end of this packet within the datagram (from the Length field). */
  readonly end: number;
}

/** A short-header (1-RTT) packet. */
export interface ShortHeaderPacket {
  readonly kind: 'short';
  readonly dcid: Uint8Array;
  readonly start: number;
  readonly pnOffset: number;
  /** A short-header packet always runs to the end of the datagram (RFC 9000 §12.2). */
  readonly end: number;
}

export interface RetryPacket {
  readonly kind: 'retry';
  readonly version: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  readonly token: Uint8Array;
  readonly integrityTag: Uint8Array;
  readonly start: number;
  readonly end: number;
}

export interface VersionNegotiationPacket {
  readonly kind: 'version-negotiation';
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  readonly versions: readonly number[];
  readonly start: number;
  readonly end: number;
}

/** A long-header packet of a version we do not speak: only the invariant fields are known. */
export interface UnsupportedVersionPacket {
  readonly kind: 'unsupported-version';
  readonly version: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  readonly start: number;
  readonly end: number;
}

export type ParsedPacket =
  | LongHeaderPacket
  | ShortHeaderPacket
  | RetryPacket
  | VersionNegotiationPacket
  | UnsupportedVersionPacket;

export interface ParseOptions {
  /** Length of the connection IDs this endpoint issues (short headers carry no length). */
  readonly shortDcidLength: number;
  /** Accept a zero fixed bit (only when the peer sent grease_quic_bit, RFC 9287 §3). */
  readonly allowZeroFixedBit?: boolean;
}

/**
 * Parses the packet starting at `offset` in `datagram`. Throws DecodeError for packets that must
 * be discarded (truncated, bad lengths, fixed bit clear); the caller drops them (RFC 9000 §12.2
 * says a bad packet in a datagram does not affect the ones before it).
 */
export function parsePacketHeader(datagram: Uint8Array, offset: number, options: ParseOptions): ParsedPacket {
  const r = new Reader(datagram, offset);
  const first = r.u8();
  if ((first & HEADER_FORM_LONG) === 0) {
    if ((first & FIXED_BIT) === 0 && !options.allowZeroFixedBit) throw new DecodeError('fixed bit is zero');
    const dcid = r.bytes(options.shortDcidLength);
    return { kind: 'short', dcid, start: offset, pnOffset: r.pos, end: datagram.length };
  }

  const version = r.u32();
  const dcidLength = r.u8();
  const maxCid = isSupportedVersion(version) ? MAX_CID_LENGTH : MAX_INVARIANT_CID_LENGTH;
  if (dcidLength > maxCid) throw new DecodeError(`destination connection ID of ${dcidLength} bytes`);
  const dcid = r.bytes(dcidLength);
  const scidLength = r.u8();
  if (scidLength > maxCid) throw new DecodeError(`source connection ID of ${scidLength} bytes`);
  const scid = r.bytes(scidLength);

  if (version === 0) {
    // RFC 9000 §17.2.1: a list of 32-bit versions fills the rest of the datagram.
    if (r.remaining % 4 !== 0 || r.remaining === 0) throw new DecodeError('malformed Version Negotiation packet');
    const versions: number[] = [];
    while (!r.done) versions.push(r.u32());
    return { kind: 'version-negotiation', dcid, scid, versions, start: offset, end: datagram.length };
  }
  if (!isSupportedVersion(version)) {
    return { kind: 'unsupported-version', version, dcid, scid, start: offset, end: datagram.length };
  }
  if ((first & FIXED_BIT) === 0 && !options.allowZeroFixedBit) throw new DecodeError('fixed bit is zero');

  const type = longPacketTypeFromBits(version, (first >> 4) & 0x03);
  if (type === 'retry') {
    // RFC 9000 §17.2.5: the token fills the packet up to the 16-byte integrity tag.
    if (r.remaining < 16) throw new DecodeError('Retry packet shorter than its integrity tag');
    const token = r.bytes(r.remaining - 16);
    const integrityTag = r.bytes(16);
    return { kind: 'retry', version, dcid, scid, token, integrityTag, start: offset, end: datagram.length };
  }
  let token: Uint8Array = EMPTY;
  if (type === 'initial') token = r.vecVarint();
  const length = r.varint();
  const pnOffset = r.pos;
  if (length > r.remaining) throw new DecodeError(`Length ${length} runs past the datagram (${r.remaining} left)`);
  // The packet must hold at least a 1-byte packet number and the header-protection sample.
  if (length < 20) throw new DecodeError(`packet too short to remove header protection (Length ${length})`);
  return { kind: 'long', type, version, dcid, scid, token, start: offset, pnOffset, end: pnOffset + length };
}

const EMPTY = new Uint8Array(0);

/**
 * Splits a datagram into its coalesced packets (RFC 9000 §12.2). Parsing stops at the first packet
 * that cannot be parsed; the packets before it are still returned, and `error` says why it stopped.
 */
export function splitCoalescedPackets(
  datagram: Uint8Array, options: ParseOptions,
): { packets: ParsedPacket[]; error?: DecodeError } {
  const packets: ParsedPacket[] = [];
  let offset = 0;
  while (offset < datagram.length) {
    let packet: ParsedPacket;
    try {
      packet = parsePacketHeader(datagram, offset, options);
    } catch (e) {
      if (e instanceof DecodeError) return { packets, error: e };
      throw e;
    }
    packets.push(packet);
    offset = packet.end;
  }
  return { packets };
}

/** Destination connection ID of a datagram's first packet, for routing (null if unparseable). */
export function peekDestinationCid(datagram: Uint8Array, shortDcidLength: number): Uint8Array | null {
  if (datagram.length === 0) return null;
  const first = datagram[0]!;
  if ((first & HEADER_FORM_LONG) === 0) {
    return datagram.length >= 1 + shortDcidLength ? datagram.subarray(1, 1 + shortDcidLength) : null;
  }
  if (datagram.length < 6) return null;
  const length = datagram[5]!;
  return datagram.length >= 6 + length ? datagram.subarray(6, 6 + length) : null;
}

export interface LongHeaderFields {
  readonly type: Exclude<LongPacketType, 'retry'>;
  readonly version: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  /** Initial packets only. */
  readonly token?: Uint8Array;
}

/**
 * Writes a long header including the (unprotected) packet number. `length` is the value of the
 * Length field: packet number + payload + AEAD tag. With `lengthFieldSize`, the Length varint is
 * written at that size (so a builder can reserve it and patch it with {@link patchLongHeaderLength}).
 * Returns the offset of the packet number.
 */
export function writeLongHeader(
  w: Writer, h: LongHeaderFields, pn: number, pnLength: 1 | 2 | 3 | 4, length: number, lengthFieldSize?: 1 | 2 | 4 | 8,
): number {
  if (h.dcid.length > MAX_CID_LENGTH || h.scid.length > MAX_CID_LENGTH) throw new RangeError('connection ID longer than 20 bytes');
  // RFC 9000 §17.2: Header Form 1, Fixed Bit 1, type, reserved bits 0, packet number length - 1.
  w.u8(HEADER_FORM_LONG | FIXED_BIT | (longPacketTypeBits(h.version, h.type) << 4) | (pnLength - 1));
  w.u32(h.version);
  w.vec8(h.dcid);
  w.vec8(h.scid);
  if (h.type === 'initial') w.vecVarint(h.token ?? EMPTY);
  else if (h.token && h.token.length) throw new RangeError('only Initial packets carry a token');
  w.varint(length, lengthFieldSize);
  const pnOffset = w.pos;
  w.uint(pn % 2 ** (pnLength * 8), pnLength);
  return pnOffset;
}

/** Rewrites a Length field written with a fixed size (see {@link writeLongHeader}). */
export function patchLongHeaderLength(buf: Uint8Array, lengthOffset: number, lengthFieldSize: 1 | 2 | 4 | 8, length: number): void {
  encodeVarintAt(buf, lengthOffset, length, lengthFieldSize);
}

export interface ShortHeaderFields {
  readonly dcid: Uint8Array;
  readonly spin?: boolean;
  readonly keyPhase: 0 | 1;
}

/** Writes a short header with its (unprotected) packet number; returns the packet-number offset. */
export function writeShortHeader(w: Writer, h: ShortHeaderFields, pn: number, pnLength: 1 | 2 | 3 | 4): number {
  // RFC 9000 §17.3.1: 0 1 S R R K P P
  w.u8(FIXED_BIT | (h.spin ? 0x20 : 0) | (h.keyPhase << 2) | (pnLength - 1));
  w.bytes(h.dcid);
  const pnOffset = w.pos;
  w.uint(pn % 2 ** (pnLength * 8), pnLength);
  return pnOffset;
}
