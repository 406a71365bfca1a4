/**
 * QUIC transport parameters (RFC 9000 §7.4, §18): the value carried in the TLS
 * `quic_transport_parameters` extension, its encoding, decoding and validation.
 *
 * Covered: every RFC 9000 §18.2 parameter, max_datagram_frame_size (RFC 9221 §3),
 * version_information (RFC 9368 §3), grease_quic_bit (RFC 9287 §3), and unknown parameters,
 * which are kept as raw `(id, value)` pairs so that they survive a decode/encode round trip.
 * Reserved (GREASE) identifiers `31 * N + 27` (RFC 9000 §18.1) are skipped on decode.
 * Integer values follow the codec's convention: varints above 2^53-1 read as
 * `Number.MAX_SAFE_INTEGER`; range checks (e.g. the 2^60 stream limit) use the exact value.
 *
 * Every violation found while decoding is a {@link TransportError} with
 * TRANSPORT_PARAMETER_ERROR (RFC 9000 §7.4). Encoding refuses values that would be invalid on the
 * wire with a RangeError, since that is a local programming error rather than a peer's fault.
 * @module
 */
import { bytesEqual } from '../codec/hex.ts';
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { DecodeError, TransportError, TransportErrorCode } from '../errors.ts';

/** Transport parameter identifiers (RFC 9000 §18.2, RFC 9221 §3, RFC 9368 §3, RFC 9287 §3). */
export const TransportParameterId = {
  ORIGINAL_DESTINATION_CONNECTION_ID: 0x00,
  MAX_IDLE_TIMEOUT: 0x01,
  STATELESS_RESET_TOKEN: 0x02,
  MAX_UDP_PAYLOAD_SIZE: 0x03,
  INITIAL_MAX_DATA: 0x04,
  INITIAL_MAX_STREAM_DATA_BIDI_LOCAL: 0x05,
  INITIAL_MAX_STREAM_DATA_BIDI_REMOTE: 0x06,
  INITIAL_MAX_STREAM_DATA_UNI: 0x07,
  INITIAL_MAX_STREAMS_BIDI: 0x08,
  INITIAL_MAX_STREAMS_UNI: 0x09,
  ACK_DELAY_EXPONENT: 0x0a,
  MAX_ACK_DELAY: 0x0b,
  DISABLE_ACTIVE_MIGRATION: 0x0c,
  PREFERRED_ADDRESS: 0x0d,
  ACTIVE_CONNECTION_ID_LIMIT: 0x0e,
  INITIAL_SOURCE_CONNECTION_ID: 0x0f,
  RETRY_SOURCE_CONNECTION_ID: 0x10,
  VERSION_INFORMATION: 0x11,
  MAX_DATAGRAM_FRAME_SIZE: 0x20,
  GREASE_QUIC_BIT: 0x2ab2,
} as const;
export type TransportParameterId = (typeof TransportParameterId)[keyof typeof TransportParameterId];

/** The server's preferred address (RFC 9000 §18.2, §9.6). An all-zero address means "none of that family". */
export interface PreferredAddress {
  /** 4 bytes. */
  ipv4Address: Uint8Array;
  ipv4Port: number;
  /** 16 bytes. */
  ipv6Address: Uint8Array;
  ipv6Port: number;
  /** 1..20 bytes (RFC 9000 §18.2: a zero-length connection ID is not allowed here). */
  connectionId: Uint8Array;
  /** 16 bytes. */
  statelessResetToken: Uint8Array;
}

/** RFC 9368 §3 Version Information. */
export interface VersionInformation {
  chosenVersion: number;
  availableVersions: number[];
}

/** A parameter this implementation does not interpret, kept verbatim. */
export interface UnknownTransportParameter {
  id: number;
  value: Uint8Array;
}

/**
 * A full set of transport parameters. Numeric fields always hold a value: when the peer omits
 * one, decoding fills in the RFC default from {@link TRANSPORT_PARAMETER_DEFAULTS}. Optional
 * fields are absent when the parameter was not sent.
 */
export interface TransportParameters {
  /** 0x00, server only. */
  originalDestinationConnectionId?: Uint8Array;
  /** 0x01, milliseconds; 0 means no idle timeout. */
  maxIdleTimeout: number;
  /** 0x02, server only, 16 bytes. */
  statelessResetToken?: Uint8Array;
  /** 0x03, at least 1200. */
  maxUdpPayloadSize: number;
  /** 0x04 */
  initialMaxData: number;
  /** 0x05 */
  initialMaxStreamDataBidiLocal: number;
  /** 0x06 */
  initialMaxStreamDataBidiRemote: number;
  /** 0x07 */
  initialMaxStreamDataUni: number;
  /** 0x08, at most 2^60 on the wire; values above 2^53-1 read as `Number.MAX_SAFE_INTEGER`. */
  initialMaxStreamsBidi: number;
  /** 0x09, as initialMaxStreamsBidi. */
  initialMaxStreamsUni: number;
  /** 0x0a, at most 20. */
  ackDelayExponent: number;
  /** 0x0b, milliseconds, below 2^14. */
  maxAckDelay: number;
  /** 0x0c */
  disableActiveMigration: boolean;
  /** 0x0d, server only. */
  preferredAddress?: PreferredAddress;
  /** 0x0e, at least 2. */
  activeConnectionIdLimit: number;
  /** 0x0f */
  initialSourceConnectionId?: Uint8Array;
  /** 0x10, server only. */
  retrySourceConnectionId?: Uint8Array;
  /** 0x20 (RFC 9221): absent means DATAGRAM frames are not supported. */
  maxDatagramFrameSize?: number;
  /** 0x11 (RFC 9368). */
  versionInformation?: VersionInformation;
  /** 0x2ab2 (RFC 9287). */
  greaseQuicBit: boolean;
  /** Parameters not listed above, in the order received. */
  unknown: UnknownTransportParameter[];
}

type DefaultedField =
  | 'maxIdleTimeout' | 'maxUdpPayloadSize' | 'initialMaxData' | 'initialMaxStreamDataBidiLocal'
  | 'initialMaxStreamDataBidiRemote' | 'initialMaxStreamDataUni' | 'initialMaxStreamsBidi'
  | 'initialMaxStreamsUni' | 'ackDelayExponent' | 'maxAckDelay' | 'disableActiveMigration'
  | 'activeConnectionIdLimit' | 'greaseQuicBit';

/** Values that apply when a parameter is absent (RFC 9000 §18.2). */
export const TRANSPORT_PARAMETER_DEFAULTS: Readonly<Pick<TransportParameters, DefaultedField>> = Object.freeze({
  maxIdleTimeout: 0,
  maxUdpPayloadSize: 65527,
  initialMaxData: 0,
  initialMaxStreamDataBidiLocal: 0,
  initialMaxStreamDataBidiRemote: 0,
  initialMaxStreamDataUni: 0,
  initialMaxStreamsBidi: 0,
  initialMaxStreamsUni: 0,
  ackDelayExponent: 3,
  maxAckDelay: 25,
  disableActiveMigration: false,
  activeConnectionIdLimit: 2,
  greaseQuicBit: false,
});

/** A complete parameter set: the defaults, overridden by `init`. */
export function createTransportParameters(init: Partial<TransportParameters> = {}): TransportParameters {
  return { ...TRANSPORT_PARAMETER_DEFAULTS, unknown: [], ...init };
}

/** Longest connection ID QUIC version 1 allows (RFC 9000 §17.2). */
const MAX_CID_LENGTH = 20;
const STATELESS_RESET_TOKEN_LENGTH = 16;
/** RFC 9000 §4.6: stream limits above 2^60 cannot be expressed as stream IDs. */
const MAX_STREAMS_LIMIT = 1n << 60n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** True for the reserved identifiers `31 * N + 27` that exercise the "ignore unknown" rule (RFC 9000 §18.1). */
export function isReservedTransportParameterId(id: number | bigint): boolean {
  const big = typeof id === 'bigint' ? id : BigInt(id);
  return big >= 27n && (big - 27n) % 31n === 0n;
}

/**
 * A GREASE parameter (RFC 9000 §18.1) built from caller-supplied randomness: the first four bytes
 * of `random` pick N in `31 * N + 27`, and the bytes after them become the value.
 */
export function greaseTransportParameter(random: Uint8Array): UnknownTransportParameter {
  if (random.length < 4) throw new RangeError('greaseTransportParameter needs at least 4 random bytes');
  const n = ((random[0]! << 24) | (random[1]! << 16) | (random[2]! << 8) | random[3]!) >>> 0;
  return { id: 31 * n + 27, value: random.slice(4) };
}

const knownIds: ReadonlySet<number> = new Set(Object.values(TransportParameterId));

/** Parameters only a server may send (RFC 9000 §18.2, §7.4). */
const serverOnlyIds: ReadonlySet<number> = new Set([
  TransportParameterId.ORIGINAL_DESTINATION_CONNECTION_ID,
  TransportParameterId.STATELESS_RESET_TOKEN,
  TransportParameterId.PREFERRED_ADDRESS,
  TransportParameterId.RETRY_SOURCE_CONNECTION_ID,
]);

// ---------------------------------------------------------------------------------------------
// Value rules shared by the encoder (RangeError) and the decoder (TRANSPORT_PARAMETER_ERROR).

/** Returns a description of the first invalid value in `p`, or null when all are valid. */
function findInvalidValue(p: TransportParameters): string | null {
  // RFC 9000 §18.2
  if (p.maxUdpPayloadSize < 1200) return `max_udp_payload_size ${p.maxUdpPayloadSize} is below 1200`;
  if (p.ackDelayExponent > 20) return `ack_delay_exponent ${p.ackDelayExponent} is above 20`;
  if (p.maxAckDelay >= 1 << 14) return `max_ack_delay ${p.maxAckDelay} is not below 2^14`;
  if (p.activeConnectionIdLimit < 2) return `active_connection_id_limit ${p.activeConnectionIdLimit} is below 2`;
  for (const [name, cid] of [
    ['original_destination_connection_id', p.originalDestinationConnectionId],
    ['initial_source_connection_id', p.initialSourceConnectionId],
    ['retry_source_connection_id', p.retrySourceConnectionId],
  ] as const) {
    if (cid !== undefined && cid.length > MAX_CID_LENGTH) return `${name} is ${cid.length} bytes, more than ${MAX_CID_LENGTH}`;
  }
  if (p.statelessResetToken !== undefined && p.statelessResetToken.length !== STATELESS_RESET_TOKEN_LENGTH) {
    return `stateless_reset_token is ${p.statelessResetToken.length} bytes, not 16`;
  }
  const pa = p.preferredAddress;
  if (pa !== undefined) {
    if (pa.connectionId.length === 0) return 'preferred_address carries a zero-length connection ID';
    if (pa.connectionId.length > MAX_CID_LENGTH) return `preferred_address connection ID is ${pa.connectionId.length} bytes`;
    // RFC 9000 §18.2: a server that uses zero-length connection IDs cannot offer a preferred address.
    if (p.initialSourceConnectionId !== undefined && p.initialSourceConnectionId.length === 0) {
      return 'preferred_address sent with a zero-length initial_source_connection_id';
    }
  }
  const vi = p.versionInformation;
  if (vi !== undefined) {
    // RFC 9368 §4: a zero version is a parsing failure.
    if (vi.chosenVersion === 0) return 'version_information has a zero chosen version';
    if (vi.availableVersions.includes(0)) return 'version_information lists version 0 as available';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Encoding

function checkEncodable(p: TransportParameters): void {
  const invalid = findInvalidValue(p);
  if (invalid !== null) throw new RangeError(`invalid transport parameters: ${invalid}`);
  const pa = p.preferredAddress;
  if (pa !== undefined) {
    if (pa.ipv4Address.length !== 4 || pa.ipv6Address.length !== 16) throw new RangeError('preferred_address has a malformed IP address');
    if (pa.statelessResetToken.length !== STATELESS_RESET_TOKEN_LENGTH) throw new RangeError('preferred_address token is not 16 bytes');
    if (!isPort(pa.ipv4Port) || !isPort(pa.ipv6Port)) throw new RangeError('preferred_address port out of range');
  }
  const vi = p.versionInformation;
  if (vi !== undefined && ![vi.chosenVersion, ...vi.availableVersions].every(isU32)) {
    throw new RangeError('version_information holds a value that is not a 32-bit version');
  }
  const seen = new Set<number>();
  for (const u of p.unknown) {
    if (knownIds.has(u.id)) throw new RangeError(`unknown parameter uses the known id 0x${u.id.toString(16)}`);
    if (seen.has(u.id)) throw new RangeError(`parameter 0x${u.id.toString(16)} appears twice`);
    seen.add(u.id);
  }
}

const isPort = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffff;
const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

function writeParam(w: Writer, id: number, value: Uint8Array): void {
  w.varint(id).varint(value.length).bytes(value);
}

function writeVarintParam(w: Writer, id: number, value: number, fallback: number): void {
  if (value === fallback) return;
  writeParam(w, id, new Writer(8).varint(value).finish());
}

function encodePreferredAddress(pa: PreferredAddress): Uint8Array {
  return new Writer(64)
    .bytes(pa.ipv4Address).u16(pa.ipv4Port)
    .bytes(pa.ipv6Address).u16(pa.ipv6Port)
    .vec8(pa.connectionId)
    .bytes(pa.statelessResetToken)
    .finish();
}

function encodeVersionInformation(vi: VersionInformation): Uint8Array {
  const w = new Writer(4 + 4 * vi.availableVersions.length).u32(vi.chosenVersion);
  for (const v of vi.availableVersions) w.u32(v);
  return w.finish();
}

/**
 * Encodes a parameter set. Known parameters are written in identifier order and omitted when they
 * hold their default value; unknown parameters follow in their given order.
 */
export function encodeTransportParameters(p: TransportParameters): Uint8Array {
  checkEncodable(p);
  const d = TRANSPORT_PARAMETER_DEFAULTS;
  const id = TransportParameterId;
  const w = new Writer(256);
  if (p.originalDestinationConnectionId !== undefined) writeParam(w, id.ORIGINAL_DESTINATION_CONNECTION_ID, p.originalDestinationConnectionId);
  writeVarintParam(w, id.MAX_IDLE_TIMEOUT, p.maxIdleTimeout, d.maxIdleTimeout);
  if (p.statelessResetToken !== undefined) writeParam(w, id.STATELESS_RESET_TOKEN, p.statelessResetToken);
  writeVarintParam(w, id.MAX_UDP_PAYLOAD_SIZE, p.maxUdpPayloadSize, d.maxUdpPayloadSize);
  writeVarintParam(w, id.INITIAL_MAX_DATA, p.initialMaxData, d.initialMaxData);
  writeVarintParam(w, id.INITIAL_MAX_STREAM_DATA_BIDI_LOCAL, p.initialMaxStreamDataBidiLocal, d.initialMaxStreamDataBidiLocal);
  writeVarintParam(w, id.INITIAL_MAX_STREAM_DATA_BIDI_REMOTE, p.initialMaxStreamDataBidiRemote, d.initialMaxStreamDataBidiRemote);
  writeVarintParam(w, id.INITIAL_MAX_STREAM_DATA_UNI, p.initialMaxStreamDataUni, d.initialMaxStreamDataUni);
  writeVarintParam(w, id.INITIAL_MAX_STREAMS_BIDI, p.initialMaxStreamsBidi, d.initialMaxStreamsBidi);
  writeVarintParam(w, id.INITIAL_MAX_STREAMS_UNI, p.initialMaxStreamsUni, d.initialMaxStreamsUni);
  writeVarintParam(w, id.ACK_DELAY_EXPONENT, p.ackDelayExponent, d.ackDelayExponent);
  writeVarintParam(w, id.MAX_ACK_DELAY, p.maxAckDelay, d.maxAckDelay);
  if (p.disableActiveMigration) writeParam(w, id.DISABLE_ACTIVE_MIGRATION, new Uint8Array(0));
  if (p.preferredAddress !== undefined) writeParam(w, id.PREFERRED_ADDRESS, encodePreferredAddress(p.preferredAddress));
  writeVarintParam(w, id.ACTIVE_CONNECTION_ID_LIMIT, p.activeConnectionIdLimit, d.activeConnectionIdLimit);
  if (p.initialSourceConnectionId !== undefined) writeParam(w, id.INITIAL_SOURCE_CONNECTION_ID, p.initialSourceConnectionId);
  if (p.retrySourceConnectionId !== undefined) writeParam(w, id.RETRY_SOURCE_CONNECTION_ID, p.retrySourceConnectionId);
  if (p.versionInformation !== undefined) writeParam(w, id.VERSION_INFORMATION, encodeVersionInformation(p.versionInformation));
  if (p.maxDatagramFrameSize !== undefined) writeParam(w, id.MAX_DATAGRAM_FRAME_SIZE, new Writer(8).varint(p.maxDatagramFrameSize).finish());
  if (p.greaseQuicBit) writeParam(w, id.GREASE_QUIC_BIT, new Uint8Array(0));
  for (const u of p.unknown) writeParam(w, u.id, u.value);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// Decoding

function paramError(reason: string, cause?: unknown): TransportError {
  return new TransportError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, reason, 0, cause === undefined ? undefined : { cause });
}

function hexId(id: number | bigint): string {
  return `0x${id.toString(16)}`;
}

/** The value must be exactly one varint (RFC 9000 §18: the length covers the whole value). */
function varintValue(value: Uint8Array, name: string): bigint {
  const r = new Reader(value);
  const v = r.varintBig();
  if (!r.done) throw paramError(`${name}: length ${value.length} does not match its varint value`);
  return v;
}

const toNumber = (v: bigint): number => (v > MAX_SAFE ? Number.MAX_SAFE_INTEGER : Number(v));

function connectionIdValue(value: Uint8Array, name: string): Uint8Array {
  if (value.length > MAX_CID_LENGTH) throw paramError(`${name} is ${value.length} bytes, more than ${MAX_CID_LENGTH}`);
  return value.slice();
}

function emptyValue(value: Uint8Array, name: string): true {
  // RFC 9000 §18.2 (disable_active_migration), RFC 9287 §3 (grease_quic_bit): zero-length values.
  if (value.length !== 0) throw paramError(`${name} must be empty, has ${value.length} bytes`);
  return true;
}

function decodePreferredAddress(value: Uint8Array): PreferredAddress {
  const r = new Reader(value);
  const ipv4Address = r.bytes(4).slice();
  const ipv4Port = r.u16();
  const ipv6Address = r.bytes(16).slice();
  const ipv6Port = r.u16();
  const connectionId = r.vec8().slice();
  const statelessResetToken = r.bytes(STATELESS_RESET_TOKEN_LENGTH).slice();
  if (!r.done) throw paramError(`preferred_address has ${r.remaining} trailing bytes`);
  return { ipv4Address, ipv4Port, ipv6Address, ipv6Port, connectionId, statelessResetToken };
}

function decodeVersionInformation(value: Uint8Array, sentBy: 'client' | 'server'): VersionInformation {
  // RFC 9368 §4: too short, or not a multiple of four bytes, is a parsing failure.
  if (value.length < 4 || value.length % 4 !== 0) throw paramError(`version_information length ${value.length} is not a positive multiple of 4`);
  const r = new Reader(value);
  const chosenVersion = r.u32();
  const availableVersions: number[] = [];
  while (!r.done) availableVersions.push(r.u32());
  // RFC 9368 §4: a server treats a Chosen Version missing from Available Versions as a parsing failure.
  if (sentBy === 'client' && !availableVersions.includes(chosenVersion)) {
    throw paramError('client version_information does not list its chosen version as available');
  }
  return { chosenVersion, availableVersions };
}

/**
 * Decodes and validates the transport parameters sent by `sentBy`. Absent numeric parameters take
 * their RFC defaults. Throws {@link TransportError} (TRANSPORT_PARAMETER_ERROR) on any violation.
 */
export function decodeTransportParameters(bytes: Uint8Array, sentBy: 'client' | 'server'): TransportParameters {
  try {
    return decodeUnchecked(bytes, sentBy);
  } catch (e) {
    if (e instanceof TransportError) throw e;
    if (e instanceof DecodeError) throw paramError(`malformed transport parameters: ${e.message}`, e);
    throw e;
  }
}

function decodeUnchecked(bytes: Uint8Array, sentBy: 'client' | 'server'): TransportParameters {
  const p = createTransportParameters();
  const seen = new Set<bigint>();
  const r = new Reader(bytes);
  const id = TransportParameterId;
  while (!r.done) {
    const idBig = r.varintBig();
    const value = r.vecVarint();
    // RFC 9000 §7.4: a parameter may appear only once.
    if (seen.has(idBig)) throw paramError(`parameter ${hexId(idBig)} appears more than once`);
    seen.add(idBig);
    if (isReservedTransportParameterId(idBig)) continue; // RFC 9000 §18.1
    if (idBig > MAX_SAFE) continue; // unknown and not representable: ignored like any unknown parameter
    const pid = Number(idBig);
    // RFC 9000 §18.2: a server treats a server-only parameter from a client as an error.
    if (sentBy === 'client' && serverOnlyIds.has(pid)) throw paramError(`client sent server-only parameter ${hexId(pid)}`);
    switch (pid) {
      case id.ORIGINAL_DESTINATION_CONNECTION_ID:
        p.originalDestinationConnectionId = connectionIdValue(value, 'original_destination_connection_id');
        break;
      case id.MAX_IDLE_TIMEOUT:
        p.maxIdleTimeout = toNumber(varintValue(value, 'max_idle_timeout'));
        break;
      case id.STATELESS_RESET_TOKEN:
        if (value.length !== STATELESS_RESET_TOKEN_LENGTH) throw paramError(`stateless_reset_token is ${value.length} bytes, not 16`);
        p.statelessResetToken = value.slice();
        break;
      case id.MAX_UDP_PAYLOAD_SIZE:
        p.maxUdpPayloadSize = toNumber(varintValue(value, 'max_udp_payload_size'));
        break;
      case id.INITIAL_MAX_DATA:
        p.initialMaxData = toNumber(varintValue(value, 'initial_max_data'));
        break;
      case id.INITIAL_MAX_STREAM_DATA_BIDI_LOCAL:
        p.initialMaxStreamDataBidiLocal = toNumber(varintValue(value, 'initial_max_stream_data_bidi_local'));
        break;
      case id.INITIAL_MAX_STREAM_DATA_BIDI_REMOTE:
        p.initialMaxStreamDataBidiRemote = toNumber(varintValue(value, 'initial_max_stream_data_bidi_remote'));
        break;
      case id.INITIAL_MAX_STREAM_DATA_UNI:
        p.initialMaxStreamDataUni = toNumber(varintValue(value, 'initial_max_stream_data_uni'));
        break;
      case id.INITIAL_MAX_STREAMS_BIDI:
      case id.INITIAL_MAX_STREAMS_UNI: {
        const name = pid === id.INITIAL_MAX_STREAMS_BIDI ? 'initial_max_streams_bidi' : 'initial_max_streams_uni';
        const v = varintValue(value, name);
        // RFC 9000 §4.6: stream limits above 2^60 are a TRANSPORT_PARAMETER_ERROR.
        if (v > MAX_STREAMS_LIMIT) throw paramError(`${name} ${v} is above 2^60`);
        if (pid === id.INITIAL_MAX_STREAMS_BIDI) p.initialMaxStreamsBidi = toNumber(v);
        else p.initialMaxStreamsUni = toNumber(v);
        break;
      }
      case id.ACK_DELAY_EXPONENT:
        p.ackDelayExponent = toNumber(varintValue(value, 'ack_delay_exponent'));
        break;
      case id.MAX_ACK_DELAY:
        p.maxAckDelay = toNumber(varintValue(value, 'max_ack_delay'));
        break;
      case id.DISABLE_ACTIVE_MIGRATION:
        p.disableActiveMigration = emptyValue(value, 'disable_active_migration');
        break;
      case id.PREFERRED_ADDRESS:
        p.preferredAddress = decodePreferredAddress(value);
        break;
      case id.ACTIVE_CONNECTION_ID_LIMIT:
        p.activeConnectionIdLimit = toNumber(varintValue(value, 'active_connection_id_limit'));
        break;
      case id.INITIAL_SOURCE_CONNECTION_ID:
        p.initialSourceConnectionId = connectionIdValue(value, 'initial_source_connection_id');
        break;
      case id.RETRY_SOURCE_CONNECTION_ID:
        p.retrySourceConnectionId = connectionIdValue(value, 'retry_source_connection_id');
        break;
      case id.VERSION_INFORMATION:
        p.versionInformation = decodeVersionInformation(value, sentBy);
        break;
      case id.MAX_DATAGRAM_FRAME_SIZE:
        p.maxDatagramFrameSize = toNumber(varintValue(value, 'max_datagram_frame_size'));
        break;
      case id.GREASE_QUIC_BIT:
        p.greaseQuicBit = emptyValue(value, 'grease_quic_bit');
        break;
      default:
        p.unknown.push({ id: pid, value: value.slice() });
    }
  }
  const invalid = findInvalidValue(p);
  if (invalid !== null) throw paramError(invalid);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Connection ID authentication (RFC 9000 §7.3)

/** The connection IDs an endpoint saw on the wire, against which the peer's parameters are checked. */
export interface ExpectedConnectionIds {
  /** Source Connection ID of the first Initial packet received from the peer. */
  initialSourceConnectionId: Uint8Array;
  /** Checked on the client: the Destination Connection ID of its first Initial packet. */
  originalDestinationConnectionId?: Uint8Array;
  /** Checked on the client: the Source Connection ID of the Retry packet, if one was received. */
  retrySourceConnectionId?: Uint8Array;
}

/**
 * Authenticates the handshake connection IDs (RFC 9000 §7.3). A missing parameter is a
 * TRANSPORT_PARAMETER_ERROR; a value that differs from the one seen on the wire is a
 * PROTOCOL_VIOLATION. `peer` is the role of the endpoint that sent `params`.
 */
export function authenticateConnectionIds(params: TransportParameters, peer: 'client' | 'server', expected: ExpectedConnectionIds): void {
  const violation = (reason: string): TransportError => new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, reason);
  if (params.initialSourceConnectionId === undefined) throw paramError('initial_source_connection_id is missing');
  if (!bytesEqual(params.initialSourceConnectionId, expected.initialSourceConnectionId)) throw violation('initial_source_connection_id does not match');
  if (peer === 'client') return;
  if (params.originalDestinationConnectionId === undefined) throw paramError('original_destination_connection_id is missing');
  if (expected.originalDestinationConnectionId !== undefined && !bytesEqual(params.originalDestinationConnectionId, expected.originalDestinationConnectionId)) {
    throw violation('original_destination_connection_id does not match');
  }
  if (expected.retrySourceConnectionId === undefined) {
    if (params.retrySourceConnectionId !== undefined) throw paramError('retry_source_connection_id sent without a Retry');
  } else {
    if (params.retrySourceConnectionId === undefined) throw paramError('retry_source_connection_id is missing after a Retry');
    if (!bytesEqual(params.retrySourceConnectionId, expected.retrySourceConnectionId)) throw violation('retry_source_connection_id does not match');
  }
}
