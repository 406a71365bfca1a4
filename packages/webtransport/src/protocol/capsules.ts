/**
 * WebTransport capsules (draft-ietf-webtrans-http3 §5.6, §6; RFC 9297 §3.2 framing): session
 * close and drain, and the session flow-control capsules of draft-12 and later. One encoder and
 * one decoder; the incremental capsule framing is the HTTP/3 layer's `CapsuleParser`.
 * @module
 */
import { decodeVarintAt, decodeVarintBigAt, varintLength, varintLengthFromFirstByte, Writer } from '@quicts/quic-core';
import { encodeCapsule, H3ErrorCode } from '@quicts/h3';
import { WebTransportErrorCode } from '../errors.ts';
import { WtProtocolError } from './protocol-error.ts';

export const WtCapsuleType = {
  DATAGRAM: 0x00, // RFC 9297 §3.5
  CLOSE_SESSION: 0x2843, // §6 (CLOSE_WEBTRANSPORT_SESSION, WT_CLOSE_SESSION)
  DRAIN_SESSION: 0x78ae, // §4.7 (DRAIN_WEBTRANSPORT_SESSION, WT_DRAIN_SESSION)
  MAX_DATA: 0x190b4d3d, // §5.6.4
  MAX_STREAM_DATA: 0x190b4d3e, // HTTP/2 binding only: prohibited here (§5.4)
  MAX_STREAMS_BIDI: 0x190b4d3f, // §5.6.2
  MAX_STREAMS_UNI: 0x190b4d40,
  DATA_BLOCKED: 0x190b4d41, // §5.6.5
  STREAM_DATA_BLOCKED: 0x190b4d42, // HTTP/2 binding only: prohibited here (§5.4)
  STREAMS_BLOCKED_BIDI: 0x190b4d43, // §5.6.3
  STREAMS_BLOCKED_UNI: 0x190b4d44,
} as const;

/** Every capsule type the WebTransport layer reads; others are skipped (RFC 9297 §3.2). */
export const WT_CAPSULE_TYPES: readonly number[] = Object.freeze(Object.values(WtCapsuleType));

/** §6: the close message is at most 1024 bytes of UTF-8. */
export const WT_MAX_CLOSE_REASON = 1024;

/** §5.6.2: stream counts cannot exceed 2^60. */
const MAX_STREAMS_LIMIT = 1n << 60n;

export type WtCapsule =
  | { readonly kind: 'close'; readonly code: number; readonly reason: string }
  | { readonly kind: 'drain' }
  | { readonly kind: 'max-data'; readonly max: number }
  | { readonly kind: 'max-streams'; readonly bidi: boolean; readonly max: number }
  | { readonly kind: 'data-blocked'; readonly max: number }
  | { readonly kind: 'streams-blocked'; readonly bidi: boolean; readonly max: number }
  | { readonly kind: 'datagram'; readonly payload: Uint8Array };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes `reason` as UTF-8, cut at a character boundary to at most 1024 bytes (§6). */
export function truncateCloseReason(reason: string): Uint8Array {
  const bytes = utf8.encode(reason);
  if (bytes.length <= WT_MAX_CLOSE_REASON) return bytes;
  let end = WT_MAX_CLOSE_REASON;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back off continuation bytes
  return bytes.slice(0, end);
}

function varintValue(type: number, value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`capsule value must be a varint: ${value}`);
  const w = new Writer(varintLength(value));
  w.varint(value);
  return encodeCapsule(type, w.finish());
}

/** Encodes one capsule, type and length included. */
export function encodeWtCapsule(c: WtCapsule): Uint8Array {
  switch (c.kind) {
    case 'close': {
      if (!Number.isInteger(c.code) || c.code < 0 || c.code > 0xffffffff) throw new RangeError(`close code must be 32-bit: ${c.code}`);
      const reason = truncateCloseReason(c.reason);
      const value = new Uint8Array(4 + reason.length);
      new DataView(value.buffer).setUint32(0, c.code);
      value.set(reason, 4);
      return encodeCapsule(WtCapsuleType.CLOSE_SESSION, value);
    }
    case 'drain':
      return encodeCapsule(WtCapsuleType.DRAIN_SESSION, new Uint8Array(0));
    case 'max-data':
      return varintValue(WtCapsuleType.MAX_DATA, c.max);
    case 'max-streams':
      return varintValue(c.bidi ? WtCapsuleType.MAX_STREAMS_BIDI : WtCapsuleType.MAX_STREAMS_UNI, c.max);
    case 'data-blocked':
      return varintValue(WtCapsuleType.DATA_BLOCKED, c.max);
    case 'streams-blocked':
      return varintValue(c.bidi ? WtCapsuleType.STREAMS_BLOCKED_BIDI : WtCapsuleType.STREAMS_BLOCKED_UNI, c.max);
    case 'datagram':
      return encodeCapsule(WtCapsuleType.DATAGRAM, c.payload);
  }
}

const malformed = (reason: string): WtProtocolError => new WtProtocolError(H3ErrorCode.H3_MESSAGE_ERROR, reason, 'session');

function onlyVarint(value: Uint8Array, what: string): number {
  const v = decodeVarintAt(value, 0);
  if (v < 0 || varintLengthFromFirstByte(value[0]!) !== value.length) throw malformed(`${what} capsule is not exactly one varint`);
  return v;
}

function streamCount(value: Uint8Array, what: string): number {
  const v = onlyVarint(value, what);
  // §5.6.2, §5.6.3: above 2^60 is a flow-control error (read exactly: numbers clamp at 2^53-1).
  if (decodeVarintBigAt(value, 0) > MAX_STREAMS_LIMIT) throw new WtProtocolError(WebTransportErrorCode.WT_FLOW_CONTROL_ERROR, `${what} of ${v} above 2^60`, 'session');
  return v;
}

/**
 * Decodes the value of a capsule of a type in WT_CAPSULE_TYPES. Malformed values and a bad close
 * message are H3_MESSAGE_ERROR (§6); the capsules of the HTTP/2 binding are a session error (§5.4).
 * The datagram payload is a view into `value`.
 */
export function decodeWtCapsule(type: number, value: Uint8Array): WtCapsule {
  switch (type) {
    case WtCapsuleType.CLOSE_SESSION: {
      if (value.length < 4) throw malformed('CLOSE_WEBTRANSPORT_SESSION shorter than its error code');
      const code = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
      const message = value.subarray(4);
      if (message.length > WT_MAX_CLOSE_REASON) throw malformed(`close message of ${message.length} bytes above ${WT_MAX_CLOSE_REASON}`);
      let reason: string;
      try {
        reason = strictUtf8.decode(message);
      } catch {
        throw malformed('close message is not UTF-8');
      }
      return { kind: 'close', code, reason };
    }
    case WtCapsuleType.DRAIN_SESSION:
      if (value.length !== 0) throw malformed('DRAIN_WEBTRANSPORT_SESSION with a value');
      return { kind: 'drain' };
    case WtCapsuleType.MAX_DATA:
      return { kind: 'max-data', max: onlyVarint(value, 'WT_MAX_DATA') };
    case WtCapsuleType.MAX_STREAMS_BIDI:
    case WtCapsuleType.MAX_STREAMS_UNI:
      return { kind: 'max-streams', bidi: type === WtCapsuleType.MAX_STREAMS_BIDI, max: streamCount(value, 'WT_MAX_STREAMS') };
    case WtCapsuleType.DATA_BLOCKED:
      return { kind: 'data-blocked', max: onlyVarint(value, 'WT_DATA_BLOCKED') };
    case WtCapsuleType.STREAMS_BLOCKED_BIDI:
    case WtCapsuleType.STREAMS_BLOCKED_UNI:
      return { kind: 'streams-blocked', bidi: type === WtCapsuleType.STREAMS_BLOCKED_BIDI, max: streamCount(value, 'WT_STREAMS_BLOCKED') };
    case WtCapsuleType.DATAGRAM:
      return { kind: 'datagram', payload: value };
    case WtCapsuleType.MAX_STREAM_DATA:
    case WtCapsuleType.STREAM_DATA_BLOCKED:
      throw new WtProtocolError(WebTransportErrorCode.WT_FLOW_CONTROL_ERROR, `capsule 0x${type.toString(16)} of the HTTP/2 binding`, 'session');
    default:
      throw new RangeError(`capsule type 0x${type.toString(16)} is not a WebTransport capsule`);
  }
}
