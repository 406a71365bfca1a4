/**
 * HTTP/3 datagrams (RFC 9297 §2.1): a QUIC DATAGRAM payload is `Quarter Stream ID (i), HTTP
 * Datagram Payload (..)`, where the quarter stream ID is the request stream's ID divided by four.
 * @module
 */
import { decodeVarintBigAt, varintLength, varintLengthFromFirstByte, Writer } from '@quicts/quic-core';
import { H3Error, H3ErrorCode } from './errors.ts';
import { isRequestStreamId } from './quic-port.ts';

/** RFC 9297 §2.1: stream IDs stop at 2^62-1, so quarter stream IDs at 2^60-1. */
const MAX_QUARTER = (1n << 60n) - 1n;

export interface H3Datagram {
  /** The request stream; -1 when the ID is valid on the wire but beyond what a `number` holds exactly. */
  readonly streamId: number;
  /** A view into the input. */
  readonly payload: Uint8Array;
}

/** Frames `payload` for the request stream `streamId`. */
export function encodeH3Datagram(streamId: number, payload: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(streamId) || streamId < 0 || !isRequestStreamId(streamId)) {
    throw new RangeError(`HTTP datagrams belong to client-initiated bidirectional streams, not ${streamId}`);
  }
  const quarter = streamId / 4;
  const w = new Writer(varintLength(quarter) + payload.length);
  w.varint(quarter).bytes(payload);
  return w.finish();
}

/**
 * Parses a QUIC DATAGRAM payload. Too short for the quarter stream ID, or a quarter stream ID of
 * 2^60 and above, is a connection error of type H3_DATAGRAM_ERROR (RFC 9297 §2.1).
 */
export function decodeH3Datagram(bytes: Uint8Array): H3Datagram {
  const q = decodeVarintBigAt(bytes, 0);
  if (q < 0n) throw new H3Error(H3ErrorCode.H3_DATAGRAM_ERROR, 'datagram too short for a quarter stream ID');
  if (q > MAX_QUARTER) throw new H3Error(H3ErrorCode.H3_DATAGRAM_ERROR, `quarter stream ID ${q} above 2^60-1`);
  const id = q * 4n;
  const streamId = id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : -1;
  return { streamId, payload: bytes.subarray(varintLengthFromFirstByte(bytes[0]!)) };
}
