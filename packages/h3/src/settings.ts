/**
 * HTTP/3 SETTINGS (RFC 9114 §7.2.4): the payload codec, and the typed view of the settings an
 * endpoint announces, including SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 9220 §3), SETTINGS_H3_DATAGRAM
 * (RFC 9297 §2.1.1) and opaque extra settings for extensions such as WebTransport.
 * @module
 */
import { decodeVarintAt, varintLength, varintLengthFromFirstByte, Writer } from '@quicts/quic-core';
import { H3Error, H3ErrorCode } from './errors.ts';
import { type H3SettingEntry, isH3Reserved } from './frames/types.ts';

/** Setting identifiers this package interprets. */
export const H3SettingId = {
  QPACK_MAX_TABLE_CAPACITY: 0x01, // RFC 9204 §5
  MAX_FIELD_SECTION_SIZE: 0x06, // RFC 9114 §7.2.4.1
  QPACK_BLOCKED_STREAMS: 0x07, // RFC 9204 §5
  ENABLE_CONNECT_PROTOCOL: 0x08, // RFC 9220 §3
  H3_DATAGRAM: 0x33, // RFC 9297 §2.1.1
} as const;

/** HTTP/2 setting identifiers with no HTTP/3 equivalent (RFC 9114 §7.2.4.1, §11.2.2). */
export const H3_HTTP2_SETTING_IDS: ReadonlySet<number> = new Set([0x02, 0x03, 0x04, 0x05]);

/** The meaning of one endpoint's SETTINGS frame. Absent settings take their defaults. */
export interface H3Settings {
  readonly qpackMaxTableCapacity: number;
  readonly qpackBlockedStreams: number;
  /** Largest field section the endpoint accepts; `Infinity` when not announced (RFC 9114 §4.2.2). */
  readonly maxFieldSectionSize: number;
  readonly enableConnectProtocol: boolean;
  readonly h3Datagram: boolean;
  /** Settings not interpreted here (extensions), reserved (GREASE) identifiers excluded. */
  readonly extra: ReadonlyMap<number, number>;
}

/** The initial values of RFC 9114 §7.2.4.2 (and of the extensions: off). */
export const H3_DEFAULT_SETTINGS: H3Settings = Object.freeze({
  qpackMaxTableCapacity: 0,
  qpackBlockedStreams: 0,
  maxFieldSectionSize: Infinity,
  enableConnectProtocol: false,
  h3Datagram: false,
  extra: new Map<number, number>(),
});

const KNOWN_IDS: ReadonlySet<number> = new Set(Object.values(H3SettingId));

/** Encodes setting entries as a SETTINGS frame payload, in the given order. */
export function encodeSettingsPayload(entries: readonly H3SettingEntry[]): Uint8Array {
  const w = new Writer(entries.length * 4 + 8);
  for (const e of entries) w.varint(e.id).varint(e.value);
  return w.finish();
}

/**
 * Decodes a SETTINGS frame payload into its entries. A truncated pair is H3_FRAME_ERROR (RFC 9114
 * §7.1); a duplicate identifier or an HTTP/2-only one is H3_SETTINGS_ERROR (§7.2.4, §7.2.4.1).
 */
export function decodeSettingsPayload(payload: Uint8Array): H3SettingEntry[] {
  const entries: H3SettingEntry[] = [];
  const seen = new Set<number>();
  let pos = 0;
  while (pos < payload.length) {
    const id = decodeVarintAt(payload, pos);
    if (id < 0) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'truncated setting identifier');
    pos += varintLengthFromFirstByte(payload[pos]!);
    const value = decodeVarintAt(payload, pos);
    if (value < 0) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, 'truncated setting value');
    pos += varintLengthFromFirstByte(payload[pos]!);
    if (H3_HTTP2_SETTING_IDS.has(id)) {
      throw new H3Error(H3ErrorCode.H3_SETTINGS_ERROR, `HTTP/2 setting 0x${id.toString(16)} in HTTP/3`);
    }
    if (seen.has(id)) throw new H3Error(H3ErrorCode.H3_SETTINGS_ERROR, `duplicate setting 0x${id.toString(16)}`);
    seen.add(id);
    entries.push({ id, value });
  }
  return entries;
}

function flag(id: number, value: number, what: string): boolean {
  // RFC 9220 §3 and RFC 9297 §2.1.1: only 0 and 1 are valid.
  if (value > 1) throw new H3Error(H3ErrorCode.H3_SETTINGS_ERROR, `${what} (0x${id.toString(16)}) must be 0 or 1, got ${value}`);
  return value === 1;
}

/**
 * The typed view of received entries. Reserved identifiers are ignored (RFC 9114 §7.2.4.1);
 * invalid values of boolean settings are H3_SETTINGS_ERROR.
 */
export function settingsFromEntries(entries: readonly H3SettingEntry[]): H3Settings {
  let qpackMaxTableCapacity = 0;
  let qpackBlockedStreams = 0;
  let maxFieldSectionSize = Infinity;
  let enableConnectProtocol = false;
  let h3Datagram = false;
  const extra = new Map<number, number>();
  for (const { id, value } of entries) {
    switch (id) {
      case H3SettingId.QPACK_MAX_TABLE_CAPACITY:
        qpackMaxTableCapacity = value;
        break;
      case H3SettingId.QPACK_BLOCKED_STREAMS:
        qpackBlockedStreams = value;
        break;
      case H3SettingId.MAX_FIELD_SECTION_SIZE:
        maxFieldSectionSize = value;
        break;
      case H3SettingId.ENABLE_CONNECT_PROTOCOL:
        enableConnectProtocol = flag(id, value, 'SETTINGS_ENABLE_CONNECT_PROTOCOL');
        break;
      case H3SettingId.H3_DATAGRAM:
        h3Datagram = flag(id, value, 'SETTINGS_H3_DATAGRAM');
        break;
      default:
        if (!isH3Reserved(id)) extra.set(id, value);
    }
  }
  return { qpackMaxTableCapacity, qpackBlockedStreams, maxFieldSectionSize, enableConnectProtocol, h3Datagram, extra };
}

/** What an endpoint announces; omitted fields keep the defaults (and are not sent). */
export interface H3SettingsInit {
  readonly qpackMaxTableCapacity?: number;
  readonly qpackBlockedStreams?: number;
  readonly maxFieldSectionSize?: number;
  readonly enableConnectProtocol?: boolean;
  readonly h3Datagram?: boolean;
  /** Extension settings, sent as given (e.g. WebTransport's). */
  readonly extra?: Iterable<readonly [number, number]> | readonly H3SettingEntry[];
}

function checkValue(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a varint value: ${v}`);
  return v;
}

/**
 * The entries to send for `init`, in a fixed order: the known settings that differ from their
 * defaults, the extra ones, then (when `greaseId` is given) one reserved setting with
 * `greaseValue` so that peers keep ignoring unknown settings (RFC 9114 §7.2.4.1).
 */
export function settingsToEntries(init: H3SettingsInit, greaseId?: number, greaseValue = 0): H3SettingEntry[] {
  const out: H3SettingEntry[] = [];
  const add = (id: number, value: number, what: string): void => {
    out.push({ id, value: checkValue(value, what) });
  };
  if (init.qpackMaxTableCapacity) add(H3SettingId.QPACK_MAX_TABLE_CAPACITY, init.qpackMaxTableCapacity, 'qpackMaxTableCapacity');
  if (init.maxFieldSectionSize !== undefined && init.maxFieldSectionSize !== Infinity) {
    add(H3SettingId.MAX_FIELD_SECTION_SIZE, init.maxFieldSectionSize, 'maxFieldSectionSize');
  }
  if (init.qpackBlockedStreams) add(H3SettingId.QPACK_BLOCKED_STREAMS, init.qpackBlockedStreams, 'qpackBlockedStreams');
  if (init.enableConnectProtocol) add(H3SettingId.ENABLE_CONNECT_PROTOCOL, 1, 'enableConnectProtocol');
  if (init.h3Datagram) add(H3SettingId.H3_DATAGRAM, 1, 'h3Datagram');
  const seen = new Set(out.map((e) => e.id));
  for (const item of init.extra ?? []) {
    const [id, value] = Array.isArray(item) ? (item as readonly [number, number]) : [(item as H3SettingEntry).id, (item as H3SettingEntry).value];
    checkValue(id, 'setting identifier');
    if (KNOWN_IDS.has(id) || H3_HTTP2_SETTING_IDS.has(id) || seen.has(id)) {
      throw new RangeError(`extra setting 0x${id.toString(16)} duplicates or shadows another setting`);
    }
    seen.add(id);
    add(id, value, `setting 0x${id.toString(16)}`);
  }
  if (greaseId !== undefined) {
    if (!isH3Reserved(greaseId)) throw new RangeError(`0x${greaseId.toString(16)} is not a reserved setting identifier`);
    if (!seen.has(greaseId)) add(greaseId, greaseValue, 'grease value');
  }
  return out;
}

/** Encoded size of a settings payload (for limits and tests). */
export function settingsPayloadLength(entries: readonly H3SettingEntry[]): number {
  let n = 0;
  for (const e of entries) n += varintLength(e.id) + varintLength(e.value);
  return n;
}
