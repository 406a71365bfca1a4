/**
 * Where each frame type may appear and how it counts for recovery (RFC 9000 §12.4 Table 3,
 * §12.5, §13.2; RFC 9002 §2; RFC 9221 §4, §5.2).
 *
 * Packet types (the "Pkts" column, narrowed by §12.5):
 * - Initial and Handshake: PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE of type 0x1c only.
 * - 0-RTT: everything except ACK, CRYPTO, HANDSHAKE_DONE, NEW_TOKEN, PATH_RESPONSE and
 *   RETIRE_CONNECTION_ID. Table 3 lists RETIRE_CONNECTION_ID as allowed in 0-RTT, but §12.5 names
 *   it among the frames a client cannot send there and lets the server treat it as a violation;
 *   this table follows §12.5. DATAGRAM may be sent in 0-RTT (RFC 9221 §4).
 * - 1-RTT: every frame.
 * Receiving a frame where it is not allowed is PROTOCOL_VIOLATION (§12.4); these functions only
 * answer the question, the connection raises the error.
 *
 * Recovery flags: ACK, PADDING and CONNECTION_CLOSE are not ack-eliciting (§13.2); a frame counts
 * toward bytes in flight when it is ack-eliciting or PADDING (RFC 9002 §2), so ACK and
 * CONNECTION_CLOSE do not. Probing frames (Table 3 "P", §9.1) are PATH_CHALLENGE, PATH_RESPONSE,
 * NEW_CONNECTION_ID and PADDING. DATAGRAM is ack-eliciting and in flight (RFC 9221 §5.2).
 *
 * Unknown frame types are allowed nowhere, and count as ack-eliciting and in flight.
 * @module
 */
import { FrameType } from './types.ts';
import type { Frame } from './types.ts';

/** The packet types that carry frames. */
export type FramePacketKind = 'initial' | 'handshake' | 'zeroRtt' | 'oneRtt';

const I = 0x01;
const H = 0x02;
const Z = 0x04;
const O = 0x08;
/** Not ack-eliciting ("N"). */
const N = 0x10;
/** Not counted in flight. */
const C = 0x20;
/** Probing frame ("P"). */
const P = 0x40;

const packetBit: Readonly<Record<FramePacketKind, number>> = { initial: I, handshake: H, zeroRtt: Z, oneRtt: O };

const APP = Z | O;
/** Flags for types 0x00..0x1e, indexed by type code. */
const table = new Uint8Array([
  /* 0x00 PADDING              */ I | H | Z | O | N | P,
  /* 0x01 PING                 */ I | H | Z | O,
  /* 0x02 ACK                  */ I | H | O | N | C,
  /* 0x03 ACK (ECN)            */ I | H | O | N | C,
  /* 0x04 RESET_STREAM         */ APP,
  /* 0x05 STOP_SENDING         */ APP,
  /* 0x06 CRYPTO               */ I | H | O,
  /* 0x07 NEW_TOKEN            */ O,
  /* 0x08..0x0f STREAM         */ APP, APP, APP, APP, APP, APP, APP, APP,
  /* 0x10 MAX_DATA             */ APP,
  /* 0x11 MAX_STREAM_DATA      */ APP,
  /* 0x12 MAX_STREAMS (bidi)   */ APP,
  /* 0x13 MAX_STREAMS (uni)    */ APP,
  /* 0x14 DATA_BLOCKED         */ APP,
  /* 0x15 STREAM_DATA_BLOCKED  */ APP,
  /* 0x16 STREAMS_BLOCKED bidi */ APP,
  /* 0x17 STREAMS_BLOCKED uni  */ APP,
  /* 0x18 NEW_CONNECTION_ID    */ APP | P,
  /* 0x19 RETIRE_CONNECTION_ID */ O, // RFC 9000 §12.5
  /* 0x1a PATH_CHALLENGE       */ APP | P,
  /* 0x1b PATH_RESPONSE        */ O | P,
  /* 0x1c CONNECTION_CLOSE     */ I | H | Z | O | N | C,
  /* 0x1d CONNECTION_CLOSE app */ APP | N | C, // RFC 9000 §12.5: application space only
  /* 0x1e HANDSHAKE_DONE       */ O,
]);
const DATAGRAM_FLAGS = APP; // RFC 9221 §4, §5.2

function flags(code: number): number {
  if (code >= 0 && code <= FrameType.HANDSHAKE_DONE) return table[code]!;
  if (code === FrameType.DATAGRAM || code === FrameType.DATAGRAM_LEN) return DATAGRAM_FLAGS;
  return 0;
}

/** Whether a frame of type `code` may appear in a packet of kind `kind` (RFC 9000 §12.4, §12.5). */
export function isFrameAllowed(code: number, kind: FramePacketKind): boolean {
  return (flags(code) & packetBit[kind]) !== 0;
}

/** Whether a frame of type `code` makes its packet ack-eliciting (RFC 9000 §13.2). */
export function isAckElicitingFrameType(code: number): boolean {
  return (flags(code) & N) === 0;
}

/** Whether a frame of type `code` makes its packet count toward bytes in flight (RFC 9002 §2). */
export function countsInFlightFrameType(code: number): boolean {
  return (flags(code) & C) === 0;
}

/** Whether a frame of type `code` is a probing frame (RFC 9000 §9.1). */
export function isProbingFrameType(code: number): boolean {
  return (flags(code) & P) !== 0;
}

/** {@link isAckElicitingFrameType} for a frame value. */
export function isAckElicitingFrame(f: Frame): boolean {
  return f.type !== 'ack' && f.type !== 'padding' && f.type !== 'connectionClose';
}

/** {@link countsInFlightFrameType} for a frame value. */
export function countsInFlightFrame(f: Frame): boolean {
  return f.type !== 'ack' && f.type !== 'connectionClose';
}

/** {@link isProbingFrameType} for a frame value. */
export function isProbingFrame(f: Frame): boolean {
  return f.type === 'pathChallenge' || f.type === 'pathResponse' || f.type === 'newConnectionId' || f.type === 'padding';
}
