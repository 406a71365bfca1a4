/**
 * Whole-frame encode and decode for HTTP/3 frames (RFC 9114 §7.1): `Type (i), Length (i),
 * Frame Payload (..)`. The incremental reader (reader.ts) uses `decodeH3FramePayload` once it holds
 * a complete payload; senders use `encodeH3Frame`, or `encodeH3FrameHeader` to stream a DATA payload
 * without copying it.
 * @module
 */
import { decodeVarintAt, varintLength, varintLengthFromFirstByte, Writer } from '@quicts/quic-core';
import { H3Error, H3ErrorCode } from '../errors.ts';
import { decodeSettingsPayload, encodeSettingsPayload } from '../settings.ts';
import { type H3Frame, H3FrameType, H3_HTTP2_FRAME_TYPES, h3FrameTypeName } from './types.ts';

/** The Type and Length fields of a frame. */
export function encodeH3FrameHeader(type: number, length: number): Uint8Array {
  const out = new Uint8Array(varintLength(type) + varintLength(length));
  Writer.into(out).varint(type).varint(length);
  return out;
}

function varintPayload(v: number): Uint8Array {
  return new Writer(8).varint(v).finish();
}

/** The payload of `frame` and its type code. */
function payloadOf(frame: H3Frame): [number, Uint8Array] {
  switch (frame.kind) {
    case 'data':
      return [H3FrameType.DATA, frame.data];
    case 'headers':
      return [H3FrameType.HEADERS, frame.fieldSection];
    case 'cancel-push':
      return [H3FrameType.CANCEL_PUSH, varintPayload(frame.pushId)];
    case 'settings':
      return [H3FrameType.SETTINGS, encodeSettingsPayload(frame.entries)];
    case 'push-promise': {
      const w = new Writer(8 + frame.fieldSection.length).varint(frame.pushId).bytes(frame.fieldSection);
      return [H3FrameType.PUSH_PROMISE, w.finish()];
    }
    case 'goaway':
      return [H3FrameType.GOAWAY, varintPayload(frame.id)];
    case 'max-push-id':
      return [H3FrameType.MAX_PUSH_ID, varintPayload(frame.pushId)];
    case 'unknown':
      return [frame.type, frame.payload];
  }
}

/** Encodes one frame. */
export function encodeH3Frame(frame: H3Frame): Uint8Array {
  const [type, payload] = payloadOf(frame);
  const w = new Writer(16 + payload.length);
  w.varint(type).varint(payload.length).bytes(payload);
  return w.finish();
}

/** A payload that is exactly one varint (RFC 9114 §7.1: nothing more, nothing less). */
function singleVarint(type: number, payload: Uint8Array): number {
  const v = decodeVarintAt(payload, 0);
  if (v < 0 || varintLengthFromFirstByte(payload[0]!) !== payload.length) {
    throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, `${h3FrameTypeName(type)} payload of ${payload.length} bytes is not one varint`);
  }
  return v;
}

/**
 * Decodes the payload of a frame of `type`. DATA and HEADERS keep `payload` as is (a view);
 * unknown and reserved types come back as `unknown`. Throws H3_FRAME_UNEXPECTED for HTTP/2
 * frame types (RFC 9114 §7.2.8), H3_FRAME_ERROR for malformed payloads (§7.1), and
 * H3_SETTINGS_ERROR as `decodeSettingsPayload` does.
 */
export function decodeH3FramePayload(type: number, payload: Uint8Array): H3Frame {
  switch (type) {
    case H3FrameType.DATA:
      return { kind: 'data', data: payload };
    case H3FrameType.HEADERS:
      return { kind: 'headers', fieldSection: payload };
    case H3FrameType.CANCEL_PUSH:
      return { kind: 'cancel-push', pushId: singleVarint(type, payload) };
    case H3FrameType.SETTINGS:
      return { kind: 'settings', entries: decodeSettingsPayload(payload) };
    case H3FrameType.PUSH_PROMISE: {
      const pushId = decodeVarintAt(payload, 0);
      if (pushId < 0) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'PUSH_PROMISE without a complete push ID');
      return { kind: 'push-promise', pushId, fieldSection: payload.subarray(varintLengthFromFirstByte(payload[0]!)) };
    }
    case H3FrameType.GOAWAY:
      return { kind: 'goaway', id: singleVarint(type, payload) };
    case H3FrameType.MAX_PUSH_ID:
      return { kind: 'max-push-id', pushId: singleVarint(type, payload) };
    default:
      if (H3_HTTP2_FRAME_TYPES.has(type)) {
        throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `HTTP/2 frame type 0x${type.toString(16)} in HTTP/3`);
      }
      return { kind: 'unknown', type, payload };
  }
}

/**
 * Decodes the frame at the start of `bytes`: the frame and its encoded size, or `null` when
 * `bytes` ends before the frame does. Payload views alias `bytes`.
 */
export function decodeH3Frame(bytes: Uint8Array): { frame: H3Frame; size: number } | null {
  const type = decodeVarintAt(bytes, 0);
  if (type < 0) return null;
  let pos = varintLengthFromFirstByte(bytes[0]!);
  // RFC 9114 §7.2.8: rejected on the type alone.
  if (H3_HTTP2_FRAME_TYPES.has(type)) {
    throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `HTTP/2 frame type 0x${type.toString(16)} in HTTP/3`);
  }
  const length = decodeVarintAt(bytes, pos);
  if (length < 0) return null;
  pos += varintLengthFromFirstByte(bytes[pos]!);
  if (bytes.length - pos < length) return null;
  return { frame: decodeH3FramePayload(type, bytes.subarray(pos, pos + length)), size: pos + length };
}
