/**
 * QUIC frame types (RFC 9000 §12.4 Table 3, §19; DATAGRAM from RFC 9221 §4) and the `Frame`
 * discriminated union the codec decodes into and encodes from.
 *
 * Integer fields are `number`. Varints above 2^53-1 are clamped to `Number.MAX_SAFE_INTEGER` on
 * decode (see codec/varint.ts); where the RFC attaches a rule to the exact value (offset + length
 * limits, stream-count limits, Retire Prior To) the decoder checks the exact 62-bit value.
 * Byte fields of decoded frames are subarray views of the packet payload, never copies: a caller
 * that keeps them beyond the payload buffer's lifetime must copy them itself.
 * @module
 */

/** Frame type codes (RFC 9000 §12.4 Table 3, RFC 9221 §4). */
export const FrameType = {
  PADDING: 0x00,
  PING: 0x01,
  ACK: 0x02,
  ACK_ECN: 0x03,
  RESET_STREAM: 0x04,
  STOP_SENDING: 0x05,
  CRYPTO: 0x06,
  NEW_TOKEN: 0x07,
  /** STREAM is 0x08..0x0f: the low three bits are OFF (0x04), LEN (0x02) and FIN (0x01). */
  STREAM: 0x08,
  STREAM_MAX: 0x0f,
  MAX_DATA: 0x10,
  MAX_STREAM_DATA: 0x11,
  MAX_STREAMS_BIDI: 0x12,
  MAX_STREAMS_UNI: 0x13,
  DATA_BLOCKED: 0x14,
  STREAM_DATA_BLOCKED: 0x15,
  STREAMS_BLOCKED_BIDI: 0x16,
  STREAMS_BLOCKED_UNI: 0x17,
  NEW_CONNECTION_ID: 0x18,
  RETIRE_CONNECTION_ID: 0x19,
  PATH_CHALLENGE: 0x1a,
  PATH_RESPONSE: 0x1b,
  /** CONNECTION_CLOSE carrying a transport error code (§20.1). */
  CONNECTION_CLOSE: 0x1c,
  /** CONNECTION_CLOSE carrying an application error code (§20.2). */
  CONNECTION_CLOSE_APP: 0x1d,
  HANDSHAKE_DONE: 0x1e,
  /** DATAGRAM without a Length field: the data runs to the end of the packet (RFC 9221 §4). */
  DATAGRAM: 0x30,
  /** DATAGRAM with a Length field. */
  DATAGRAM_LEN: 0x31,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Flag bits in the STREAM frame type (RFC 9000 §19.8). */
export const StreamFrameBits = {
  FIN: 0x01,
  LEN: 0x02,
  OFF: 0x04,
} as const;

/** Limit on MAX_STREAMS / STREAMS_BLOCKED counts: 2^60 (RFC 9000 §19.11, §19.14). */
export const MAX_STREAM_COUNT_BIG = 1n << 60n;
/** Smallest and largest connection ID length in NEW_CONNECTION_ID (RFC 9000 §19.15). */
export const MIN_CONNECTION_ID_LENGTH = 1;
export const MAX_CONNECTION_ID_LENGTH = 20;
/** Length of a stateless reset token (RFC 9000 §10.3). */
export const STATELESS_RESET_TOKEN_LENGTH = 16;
/** Length of PATH_CHALLENGE / PATH_RESPONSE data (RFC 9000 §19.17). */
export const PATH_DATA_LENGTH = 8;

const names: readonly string[] = [
  'PADDING', 'PING', 'ACK', 'ACK_ECN', 'RESET_STREAM', 'STOP_SENDING', 'CRYPTO', 'NEW_TOKEN',
  'STREAM', 'STREAM', 'STREAM', 'STREAM', 'STREAM', 'STREAM', 'STREAM', 'STREAM',
  'MAX_DATA', 'MAX_STREAM_DATA', 'MAX_STREAMS_BIDI', 'MAX_STREAMS_UNI', 'DATA_BLOCKED',
  'STREAM_DATA_BLOCKED', 'STREAMS_BLOCKED_BIDI', 'STREAMS_BLOCKED_UNI', 'NEW_CONNECTION_ID',
  'RETIRE_CONNECTION_ID', 'PATH_CHALLENGE', 'PATH_RESPONSE', 'CONNECTION_CLOSE',
  'CONNECTION_CLOSE_APP', 'HANDSHAKE_DONE',
];

/** True for the frame types this codec knows (RFC 9000 §19 and RFC 9221 DATAGRAM). */
export function isKnownFrameType(code: number): boolean {
  return (code >= 0 && code <= 0x1e) || code === 0x30 || code === 0x31;
}

/** Name of a frame type code for logs, e.g. `STREAM` or `UNKNOWN(0x21)`. */
export function frameTypeName(code: number): string {
  if (code >= 0 && code <= 0x1e) return names[code]!;
  if (code === 0x30 || code === 0x31) return 'DATAGRAM';
  return `UNKNOWN(0x${code.toString(16)})`;
}

/** One ACK range, both ends inclusive: `[smallest, largest]`. */
export type AckRange = [smallest: number, largest: number];

/** ECN counts of an ACK frame of type 0x03 (RFC 9000 §19.3.2). */
export interface EcnCounts {
  ect0: number;
  ect1: number;
  ce: number;
}

/**
 * A run of PADDING frames (RFC 9000 §19.1). Each 0x00 byte is one frame; the decoder returns a
 * whole run as one value so a padded Initial does not produce a thousand objects.
 */
export interface PaddingFrame {
  type: 'padding';
  /** Number of PADDING bytes (at least 1). */
  length: number;
}

/** RFC 9000 §19.2 */
export interface PingFrame {
  type: 'ping';
}

/** RFC 9000 §19.3 */
export interface AckFrame {
  type: 'ack';
  /** Largest packet number acknowledged; equals `ranges[0][1]`. */
  largest: number;
  /** The raw ACK Delay field; the receiver scales it by 2^ack_delay_exponent (§19.3). */
  ackDelay: number;
  /** Acknowledged ranges, descending and disjoint, each `[smallest, largest]`; never empty. */
  ranges: AckRange[];
  /** Present (type 0x03) when the frame carries ECN counts. */
  ecn?: EcnCounts | undefined;
}

/** RFC 9000 §19.4 */
export interface ResetStreamFrame {
  type: 'resetStream';
  streamId: number;
  errorCode: number;
  finalSize: number;
}

/** RFC 9000 §19.5 */
export interface StopSendingFrame {
  type: 'stopSending';
  streamId: number;
  errorCode: number;
}

/** RFC 9000 §19.6 */
export interface CryptoFrame {
  type: 'crypto';
  offset: number;
  data: Uint8Array;
}

/** RFC 9000 §19.7 */
export interface NewTokenFrame {
  type: 'newToken';
  /** Non-empty. */
  token: Uint8Array;
}

/** RFC 9000 §19.8 */
export interface StreamFrame {
  type: 'stream';
  streamId: number;
  offset: number;
  data: Uint8Array;
  fin: boolean;
}

/** RFC 9000 §19.9 */
export interface MaxDataFrame {
  type: 'maxData';
  maximum: number;
}

/** RFC 9000 §19.10 */
export interface MaxStreamDataFrame {
  type: 'maxStreamData';
  streamId: number;
  maximum: number;
}

/** RFC 9000 §19.11 (type 0x12 for bidirectional, 0x13 for unidirectional streams) */
export interface MaxStreamsFrame {
  type: 'maxStreams';
  bidi: boolean;
  maximum: number;
}

/** RFC 9000 §19.12 */
export interface DataBlockedFrame {
  type: 'dataBlocked';
  limit: number;
}

/** RFC 9000 §19.13 */
export interface StreamDataBlockedFrame {
  type: 'streamDataBlocked';
  streamId: number;
  limit: number;
}

/** RFC 9000 §19.14 (type 0x16 for bidirectional, 0x17 for unidirectional streams) */
export interface StreamsBlockedFrame {
  type: 'streamsBlocked';
  bidi: boolean;
  limit: number;
}

/** RFC 9000 §19.15 */
export interface NewConnectionIdFrame {
  type: 'newConnectionId';
  sequence: number;
  retirePriorTo: number;
  /** 1 to 20 bytes. */
  connectionId: Uint8Array;
  /** 16 bytes. */
  statelessResetToken: Uint8Array;
}

/** RFC 9000 §19.16 */
export interface RetireConnectionIdFrame {
  type: 'retireConnectionId';
  sequence: number;
}

/** RFC 9000 §19.17 */
export interface PathChallengeFrame {
  type: 'pathChallenge';
  /** 8 bytes. */
  data: Uint8Array;
}

/** RFC 9000 §19.18 */
export interface PathResponseFrame {
  type: 'pathResponse';
  /** 8 bytes. */
  data: Uint8Array;
}

/** RFC 9000 §19.19 */
export interface ConnectionCloseFrame {
  type: 'connectionClose';
  /** false: type 0x1c, a transport error code; true: type 0x1d, an application error code. */
  application: boolean;
  errorCode: number;
  /** Type of the frame that caused the error (0 when unknown); always 0 for the application variant. */
  frameType: number;
  /** Reason phrase bytes (meant to be UTF-8, but not guaranteed); see `reasonPhraseText`. */
  reason: Uint8Array;
}

/** RFC 9000 §19.20 */
export interface HandshakeDoneFrame {
  type: 'handshakeDone';
}

/** RFC 9221 §4 */
export interface DatagramFrame {
  type: 'datagram';
  data: Uint8Array;
}

export type Frame =
  | PaddingFrame
  | PingFrame
  | AckFrame
  | ResetStreamFrame
  | StopSendingFrame
  | CryptoFrame
  | NewTokenFrame
  | StreamFrame
  | MaxDataFrame
  | MaxStreamDataFrame
  | MaxStreamsFrame
  | DataBlockedFrame
  | StreamDataBlockedFrame
  | StreamsBlockedFrame
  | NewConnectionIdFrame
  | RetireConnectionIdFrame
  | PathChallengeFrame
  | PathResponseFrame
  | ConnectionCloseFrame
  | HandshakeDoneFrame
  | DatagramFrame;

/** The `type` tag of a frame. */
export type FrameKind = Frame['type'];

/**
 * The type code `encodeFrame` writes for `f`. STREAM frames get OFF when the offset is non-zero,
 * always LEN, and FIN as set; DATAGRAM frames always get the Length field (0x31).
 */
export function frameTypeOf(f: Frame): number {
  switch (f.type) {
    case 'padding': return FrameType.PADDING;
    case 'ping': return FrameType.PING;
    case 'ack': return f.ecn === undefined ? FrameType.ACK : FrameType.ACK_ECN;
    case 'resetStream': return FrameType.RESET_STREAM;
    case 'stopSending': return FrameType.STOP_SENDING;
    case 'crypto': return FrameType.CRYPTO;
    case 'newToken': return FrameType.NEW_TOKEN;
    case 'stream':
      return FrameType.STREAM | StreamFrameBits.LEN | (f.offset > 0 ? StreamFrameBits.OFF : 0) | (f.fin ? StreamFrameBits.FIN : 0);
    case 'maxData': return FrameType.MAX_DATA;
    case 'maxStreamData': return FrameType.MAX_STREAM_DATA;
    case 'maxStreams': return f.bidi ? FrameType.MAX_STREAMS_BIDI : FrameType.MAX_STREAMS_UNI;
    case 'dataBlocked': return FrameType.DATA_BLOCKED;
    case 'streamDataBlocked': return FrameType.STREAM_DATA_BLOCKED;
    case 'streamsBlocked': return f.bidi ? FrameType.STREAMS_BLOCKED_BIDI : FrameType.STREAMS_BLOCKED_UNI;
    case 'newConnectionId': return FrameType.NEW_CONNECTION_ID;
    case 'retireConnectionId': return FrameType.RETIRE_CONNECTION_ID;
    case 'pathChallenge': return FrameType.PATH_CHALLENGE;
    case 'pathResponse': return FrameType.PATH_RESPONSE;
    case 'connectionClose': return f.application ? FrameType.CONNECTION_CLOSE_APP : FrameType.CONNECTION_CLOSE;
    case 'handshakeDone': return FrameType.HANDSHAKE_DONE;
    case 'datagram': return FrameType.DATAGRAM_LEN;
  }
}
