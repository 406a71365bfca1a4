/**
 * HTTP/3 frame types (RFC 9114 §7.2, Table 2) and the frame union the codec produces.
 * @module
 */

/** RFC 9114 §7.2 frame type codes. */
export const H3FrameType = {
  DATA: 0x00,
  HEADERS: 0x01,
  CANCEL_PUSH: 0x03,
  SETTINGS: 0x04,
  PUSH_PROMISE: 0x05,
  GOAWAY: 0x07,
  MAX_PUSH_ID: 0x0d,
} as const;

/**
 * Frame types HTTP/2 defines that HTTP/3 does not (PRIORITY 0x2, PING 0x6, WINDOW_UPDATE 0x8,
 * CONTINUATION 0x9): receiving one is a connection error of type H3_FRAME_UNEXPECTED (RFC 9114
 * §7.2.8).
 */
export const H3_HTTP2_FRAME_TYPES: ReadonlySet<number> = new Set([0x02, 0x06, 0x08, 0x09]);

/**
 * Whether `type` is a reserved (GREASE) code point `0x1f * N + 0x21` (RFC 9114 §7.2.8, also used
 * for settings §7.2.4.1, stream types §6.2.3 and error codes §8.1).
 */
export function isH3Reserved(type: number): boolean {
  return type >= 0x21 && (type - 0x21) % 0x1f === 0;
}

/** The reserved code point for `n` (RFC 9114 §7.2.8): `0x1f * n + 0x21`. */
export function h3ReservedCode(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid reserved index ${n}`);
  return 0x1f * n + 0x21;
}

const NAMES: Record<number, string> = {
  0x00: 'DATA', 0x01: 'HEADERS', 0x03: 'CANCEL_PUSH', 0x04: 'SETTINGS', 0x05: 'PUSH_PROMISE', 0x07: 'GOAWAY',
  0x0d: 'MAX_PUSH_ID',
};

/** Name of a frame type for logs. */
export function h3FrameTypeName(type: number): string {
  const name = NAMES[type];
  if (name !== undefined) return name;
  if (isH3Reserved(type)) return `RESERVED(0x${type.toString(16)})`;
  return `UNKNOWN(0x${type.toString(16)})`;
}

/** One setting as it appears on the wire (RFC 9114 §7.2.4). */
export interface H3SettingEntry {
  readonly id: number;
  readonly value: number;
}

/** RFC 9114 §7.2.1 */
export interface H3DataFrame {
  readonly kind: 'data';
  readonly data: Uint8Array;
}
/** RFC 9114 §7.2.2: the payload is a QPACK-encoded field section. */
export interface H3HeadersFrame {
  readonly kind: 'headers';
  readonly fieldSection: Uint8Array;
}
/** RFC 9114 §7.2.3 */
export interface H3CancelPushFrame {
  readonly kind: 'cancel-push';
  readonly pushId: number;
}
/** RFC 9114 §7.2.4: entries in wire order (see settings.ts for their meaning). */
export interface H3SettingsFrame {
  readonly kind: 'settings';
  readonly entries: readonly H3SettingEntry[];
}
/** RFC 9114 §7.2.5 */
export interface H3PushPromiseFrame {
  readonly kind: 'push-promise';
  readonly pushId: number;
  readonly fieldSection: Uint8Array;
}
/** RFC 9114 §7.2.6: a client-initiated bidirectional stream ID (from a server) or a push ID. */
export interface H3GoawayFrame {
  readonly kind: 'goaway';
  readonly id: number;
}
/** RFC 9114 §7.2.7 */
export interface H3MaxPushIdFrame {
  readonly kind: 'max-push-id';
  readonly pushId: number;
}
/** A frame of a type this codec does not interpret (reserved/GREASE or an extension's). */
export interface H3UnknownFrame {
  readonly kind: 'unknown';
  readonly type: number;
  readonly payload: Uint8Array;
}

export type H3Frame =
  | H3DataFrame
  | H3HeadersFrame
  | H3CancelPushFrame
  | H3SettingsFrame
  | H3PushPromiseFrame
  | H3GoawayFrame
  | H3MaxPushIdFrame
  | H3UnknownFrame;
