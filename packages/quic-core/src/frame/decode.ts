/**
 * Frame decoder (RFC 9000 §19, RFC 9221 §4). `decodeFrame` reads one frame at the Reader's
 * position, so a packet payload is decoded in a loop; `decodeFrames` runs that loop.
 *
 * Every malformed input throws {@link TransportError}:
 * - truncated or otherwise malformed fields: FRAME_ENCODING_ERROR with the frame's type (the
 *   Reader's DecodeError is converted in one place, `decodeFrame`);
 * - an unknown frame type: FRAME_ENCODING_ERROR (RFC 9000 §12.4);
 * - a frame type not in its shortest encoding: PROTOCOL_VIOLATION. RFC 9000 §12.4 says the type
 *   MUST use the shortest encoding and that a receiver MAY treat a longer one as
 *   PROTOCOL_VIOLATION; this decoder always does, and checks it before checking whether the
 *   type is known (so 0x4001 and 0x4021 are both PROTOCOL_VIOLATION).
 *
 * Byte fields are subarray views of the input. Values above 2^53-1 clamp (see types.ts); the
 * rules the RFC ties to exact values are checked on the exact value.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { VARINT_MAX_BIG, decodeVarintAt, decodeVarintBigAt, varintLength, varintLengthFromFirstByte } from '../codec/varint.ts';
import { DecodeError, TransportError, TransportErrorCode } from '../errors.ts';
import { readAckRanges } from './ack-ranges.ts';
import {
  FrameType, MAX_CONNECTION_ID_LENGTH, MAX_STREAM_COUNT_BIG, MIN_CONNECTION_ID_LENGTH, PATH_DATA_LENGTH,
  STATELESS_RESET_TOKEN_LENGTH, StreamFrameBits, frameTypeName,
} from './types.ts';
import type { EcnCounts, Frame, HandshakeDoneFrame, PingFrame } from './types.ts';

const FRAME_ENCODING_ERROR = TransportErrorCode.FRAME_ENCODING_ERROR;
const CLAMPED = Number.MAX_SAFE_INTEGER;

// Frames without fields are shared, immutable values: decoding them allocates nothing.
const PING: PingFrame = Object.freeze({ type: 'ping' });
const HANDSHAKE_DONE: HandshakeDoneFrame = Object.freeze({ type: 'handshakeDone' });

/**
 * Decodes the frame at `r.pos` and advances past it. Throws TransportError on malformed input;
 * `r` must not be at its end.
 */
export function decodeFrame(r: Reader): Frame {
  const type = readFrameType(r);
  try {
    return decodeBody(r, type);
  } catch (e) {
    if (e instanceof DecodeError) {
      throw new TransportError(FRAME_ENCODING_ERROR, `malformed ${frameTypeName(type)} frame: ${e.message}`, type, { cause: e });
    }
    throw e;
  }
}

/**
 * Decodes a whole packet payload. An empty payload is PROTOCOL_VIOLATION (RFC 9000 §12.4: a
 * packet must contain at least one frame).
 */
export function decodeFrames(payload: Uint8Array): Frame[] {
  if (payload.length === 0) {
    throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, 'packet payload contains no frames');
  }
  const r = new Reader(payload);
  const frames: Frame[] = [];
  // Every frame consumes at least one byte, so this loop ends.
  while (r.pos < r.end) frames.push(decodeFrame(r));
  return frames;
}

function readFrameType(r: Reader): number {
  const pos = r.pos;
  if (pos >= r.end) throw new TransportError(FRAME_ENCODING_ERROR, 'missing frame type');
  const first = r.buf[pos]!;
  if (first < 0x40) {
    r.pos = pos + 1;
    return first;
  }
  const value = decodeVarintAt(r.buf, pos, r.end);
  if (value < 0) throw new TransportError(FRAME_ENCODING_ERROR, 'truncated frame type');
  const length = varintLengthFromFirstByte(first);
  r.pos = pos + length;
  // RFC 9000 §12.4: a frame type MUST use the shortest encoding.
  if (varintLength(value) !== length) {
    throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `frame type 0x${value.toString(16)} not minimally encoded`, value);
  }
  // Every known frame type is below 0x40, so a minimal multi-byte type is unknown.
  throw unknownType(value);
}

function unknownType(type: number): TransportError {
  return new TransportError(FRAME_ENCODING_ERROR, `unknown frame type 0x${type.toString(16)}`, type); // RFC 9000 §12.4
}

function invalid(type: number, reason: string): TransportError {
  return new TransportError(FRAME_ENCODING_ERROR, `${frameTypeName(type)}: ${reason}`, type);
}

function decodeBody(r: Reader, type: number): Frame {
  switch (type) {
    case FrameType.PADDING: {
      const buf = r.buf;
      const end = r.end;
      const start = r.pos;
      let p = start;
      while (p < end && buf[p] === 0) p++;
      r.pos = p;
      return { type: 'padding', length: p - start + 1 };
    }
    case FrameType.PING:
      return PING;
    case FrameType.ACK:
    case FrameType.ACK_ECN: {
      const largest = r.varint();
      const ackDelay = r.varint();
      const ranges = readAckRanges(r, largest, type);
      let ecn: EcnCounts | undefined;
      if (type === FrameType.ACK_ECN) ecn = { ect0: r.varint(), ect1: r.varint(), ce: r.varint() };
      return { type: 'ack', largest, ackDelay, ranges, ecn };
    }
    case FrameType.RESET_STREAM:
      return { type: 'resetStream', streamId: r.varint(), errorCode: r.varint(), finalSize: r.varint() };
    case FrameType.STOP_SENDING:
      return { type: 'stopSending', streamId: r.varint(), errorCode: r.varint() };
    case FrameType.CRYPTO: {
      const offsetPos = r.pos;
      const offset = r.varint();
      const data = r.vecVarint();
      checkDataEnd(r, offsetPos, offset, data.length, type); // RFC 9000 §19.6
      return { type: 'crypto', offset, data };
    }
    case FrameType.NEW_TOKEN: {
      const token = r.vecVarint();
      if (token.length === 0) throw invalid(type, 'empty token'); // RFC 9000 §19.7
      return { type: 'newToken', token };
    }
    case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x0e: case 0x0f: {
      const streamId = r.varint();
      let offset = 0;
      const offsetPos = r.pos;
      if ((type & StreamFrameBits.OFF) !== 0) offset = r.varint();
      // RFC 9000 §19.8: without LEN the data runs to the end of the packet.
      const data = (type & StreamFrameBits.LEN) !== 0 ? r.vecVarint() : r.rest();
      checkDataEnd(r, offsetPos, offset, data.length, type); // RFC 9000 §19.8
      return { type: 'stream', streamId, offset, data, fin: (type & StreamFrameBits.FIN) !== 0 };
    }
    case FrameType.MAX_DATA:
      return { type: 'maxData', maximum: r.varint() };
    case FrameType.MAX_STREAM_DATA:
      return { type: 'maxStreamData', streamId: r.varint(), maximum: r.varint() };
    case FrameType.MAX_STREAMS_BIDI:
    case FrameType.MAX_STREAMS_UNI:
      return { type: 'maxStreams', bidi: type === FrameType.MAX_STREAMS_BIDI, maximum: readStreamCount(r, type) }; // RFC 9000 §19.11
    case FrameType.DATA_BLOCKED:
      return { type: 'dataBlocked', limit: r.varint() };
    case FrameType.STREAM_DATA_BLOCKED:
      return { type: 'streamDataBlocked', streamId: r.varint(), limit: r.varint() };
    case FrameType.STREAMS_BLOCKED_BIDI:
    case FrameType.STREAMS_BLOCKED_UNI:
      return { type: 'streamsBlocked', bidi: type === FrameType.STREAMS_BLOCKED_BIDI, limit: readStreamCount(r, type) }; // RFC 9000 §19.14
    case FrameType.NEW_CONNECTION_ID:
      return decodeNewConnectionId(r, type);
    case FrameType.RETIRE_CONNECTION_ID:
      return { type: 'retireConnectionId', sequence: r.varint() };
    case FrameType.PATH_CHALLENGE:
      return { type: 'pathChallenge', data: r.bytes(PATH_DATA_LENGTH) };
    case FrameType.PATH_RESPONSE:
      return { type: 'pathResponse', data: r.bytes(PATH_DATA_LENGTH) };
    case FrameType.CONNECTION_CLOSE: {
      const errorCode = r.varint();
      const frameType = r.varint();
      return { type: 'connectionClose', application: false, errorCode, frameType, reason: r.vecVarint() };
    }
    case FrameType.CONNECTION_CLOSE_APP: {
      const errorCode = r.varint();
      return { type: 'connectionClose', application: true, errorCode, frameType: 0, reason: r.vecVarint() };
    }
    case FrameType.HANDSHAKE_DONE:
      return HANDSHAKE_DONE;
    case FrameType.DATAGRAM:
      return { type: 'datagram', data: r.rest() }; // RFC 9221 §4: no Length, runs to the end
    case FrameType.DATAGRAM_LEN:
      return { type: 'datagram', data: r.vecVarint() };
    default:
      throw unknownType(type);
  }
}

/**
 * Offset + length must not exceed 2^62-1 (RFC 9000 §19.6, §19.8). An offset below 2^53-1 is exact
 * and the length is bounded by the packet, so only a clamped offset needs the exact sum.
 */
function checkDataEnd(r: Reader, offsetPos: number, offset: number, length: number, type: number): void {
  if (offset === CLAMPED && decodeVarintBigAt(r.buf, offsetPos, r.end) + BigInt(length) > VARINT_MAX_BIG) {
    throw invalid(type, 'offset + length exceeds 2^62-1');
  }
}

/** A stream count above 2^60 is FRAME_ENCODING_ERROR (RFC 9000 §19.11, §19.14). */
function readStreamCount(r: Reader, type: number): number {
  const pos = r.pos;
  const count = r.varint();
  if (count === CLAMPED && decodeVarintBigAt(r.buf, pos, r.end) > MAX_STREAM_COUNT_BIG) {
    throw invalid(type, 'stream count exceeds 2^60');
  }
  return count;
}

function decodeNewConnectionId(r: Reader, type: number): Frame {
  const sequencePos = r.pos;
  const sequence = r.varint();
  const retirePos = r.pos;
  const retirePriorTo = r.varint();
  const cidLength = r.u8();
  // RFC 9000 §19.15: lengths below 1 or above 20 are FRAME_ENCODING_ERROR.
  if (cidLength < MIN_CONNECTION_ID_LENGTH || cidLength > MAX_CONNECTION_ID_LENGTH) {
    throw invalid(type, `connection ID length ${cidLength}`);
  }
  const connectionId = r.bytes(cidLength);
  const statelessResetToken = r.bytes(STATELESS_RESET_TOKEN_LENGTH);
  // RFC 9000 §19.15: Retire Prior To greater than Sequence Number is FRAME_ENCODING_ERROR.
  // A clamped Retire Prior To is compared exactly.
  if (
    retirePriorTo > sequence ||
    (retirePriorTo === CLAMPED && decodeVarintBigAt(r.buf, retirePos, r.end) > decodeVarintBigAt(r.buf, sequencePos, r.end))
  ) {
    throw invalid(type, 'Retire Prior To exceeds Sequence Number');
  }
  return { type: 'newConnectionId', sequence, retirePriorTo, connectionId, statelessResetToken };
}
