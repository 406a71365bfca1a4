/**
 * The first bytes of WebTransport data streams (draft-ietf-webtrans-http3 §4.2, §4.3): a
 * unidirectional stream starts with stream type 0x54 and the session ID, a bidirectional one
 * with the signal value 0x41 and the session ID, all varints. The session ID is the CONNECT
 * stream's ID and so always a client-initiated bidirectional stream ID (§4).
 * @module
 */
import { decodeVarintAt, varintLength, varintLengthFromFirstByte, Writer } from '@quicts/quic-core';
import { H3ErrorCode } from '@quicts/h3';
import { WtProtocolError } from './protocol-error.ts';

/** §4.2: the unidirectional stream type. */
export const WT_UNI_STREAM_TYPE = 0x54;
/** §4.3: the bidirectional stream signal (WT_STREAM). */
export const WT_BIDI_SIGNAL = 0x41;

/** §4: session IDs name client-initiated bidirectional streams; others are H3_ID_ERROR. */
export function checkSessionId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0 || id % 4 !== 0) {
    throw new WtProtocolError(H3ErrorCode.H3_ID_ERROR, `session ID ${id} is not a client-initiated bidirectional stream`, 'connection');
  }
}

/** Encodes the preface of a stream of `direction` for session `sessionId`. */
export function encodeWtPreface(direction: 'bidi' | 'uni', sessionId: number): Uint8Array {
  if (!Number.isSafeInteger(sessionId) || sessionId < 0 || sessionId % 4 !== 0) throw new RangeError(`not a session ID: ${sessionId}`);
  const head = direction === 'bidi' ? WT_BIDI_SIGNAL : WT_UNI_STREAM_TYPE;
  const w = new Writer(varintLength(head) + varintLength(sessionId));
  w.varint(head).varint(sessionId);
  return w.finish();
}

/**
 * Decodes a complete preface at the start of `bytes`: what it opens, the session ID and its length,
 * or null when `bytes` is too short (or starts with something else: `direction` undefined).
 */
export function decodeWtPreface(bytes: Uint8Array): { direction: 'bidi' | 'uni' | undefined; sessionId: number; length: number } | null {
  const head = decodeVarintAt(bytes, 0);
  if (head < 0) return null;
  const n = varintLengthFromFirstByte(bytes[0]!);
  const direction = head === WT_BIDI_SIGNAL ? 'bidi' : head === WT_UNI_STREAM_TYPE ? 'uni' : undefined;
  if (direction === undefined) return { direction, sessionId: -1, length: n };
  const sessionId = decodeVarintAt(bytes, n);
  if (sessionId < 0) return null;
  return { direction, sessionId, length: n + varintLengthFromFirstByte(bytes[n]!) };
}
