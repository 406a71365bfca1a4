/**
 * A sans-IO qlog trace for one connection (draft-ietf-quic-qlog-main-schema, JSON-SEQ mapping):
 * the first record is the file header (qlog_version, qlog_format, the trace's common_fields and
 * vantage_point), then one record per event, `{ time, name, data }`, with `time` in milliseconds
 * relative to the reference `now` given at creation (time_format "relative"). Records go to a
 * sink, one string per record; the driver decides where they end up.
 * @module
 */
import { toHex } from '../codec/hex.ts';
import type { Frame } from '../frame/types.ts';
import { jsonSeqRecord, type QlogSink } from './json-seq.ts';
import { qlogFrame, qlogTransportError } from './frames.ts';
import {
  QLOG_FORMAT_JSON_SEQ, QLOG_VERSION, QlogEventName, legacyEventName,
  type QlogFrame, type QlogKeyType, type QlogPacketHeader, type QlogPacketType, type QlogRawInfo, type VantagePointType,
} from './schema.ts';

export interface QlogTraceOptions {
  readonly sink: QlogSink;
  readonly vantagePoint: VantagePointType;
  /** A name for the vantage point, e.g. "quicts server". */
  readonly vantagePointName?: string;
  /** The `now` every event time is relative to (ms, the engine's clock). */
  readonly referenceNow: number;
  /**
   * The reference_time written in the header, e.g. Unix ms of `referenceNow` read by the driver.
   * Defaults to `referenceNow`.
   */
  readonly referenceTime?: number;
  /** The Original Destination Connection ID: the trace's group_id and ODCID (quic-events §"Use of group IDs"). */
  readonly odcid?: Uint8Array;
  readonly title?: string;
  readonly description?: string;
  /** 'legacy' writes "transport:" and "connectivity:" names for tools of the qlog draft-02 era. */
  readonly eventNaming?: 'quic' | 'legacy';
  /** ack_delay_exponent of the peer, for ACK frame delays in received packets (default 3). */
  readonly peerAckDelayExponent?: number;
  /** Our ack_delay_exponent, for ACK frame delays in sent packets (default 3). */
  readonly localAckDelayExponent?: number;
}

/** The header of a packet to log; byte strings are converted to hex. */
export interface PacketHeaderInfo {
  readonly packetType: QlogPacketType;
  readonly packetNumber?: number;
  readonly version?: number;
  readonly dcid?: Uint8Array;
  readonly scid?: Uint8Array;
  /** Initial and Retry packets: the token (only its length is logged unless `logToken`). */
  readonly token?: Uint8Array;
  readonly keyPhase?: boolean;
}

export interface PacketEventInfo {
  readonly header: PacketHeaderInfo;
  /** Frames, as decoded or as built, or already in qlog form. */
  readonly frames?: readonly (Frame | QlogFrame)[];
  /** Size of the whole packet on the wire, and of its payload. */
  readonly length?: number;
  readonly payloadLength?: number;
  readonly isCoalesced?: boolean;
  readonly trigger?: string;
  /** Stateless reset packets only. */
  readonly statelessResetToken?: Uint8Array;
  /** Version Negotiation packets only. */
  readonly supportedVersions?: readonly number[];
}

/** The recovery figures of recovery:metrics_updated; all in ms or bytes. */
export interface RecoveryMetrics {
  readonly minRtt?: number;
  readonly smoothedRtt?: number;
  readonly latestRtt?: number;
  readonly rttVariance?: number;
  readonly ptoCount?: number;
  readonly congestionWindow?: number;
  readonly bytesInFlight?: number;
  readonly ssthresh?: number;
  readonly packetsInFlight?: number;
  /** Bits per second. */
  readonly pacingRate?: number;
}

const METRIC_FIELDS: readonly (readonly [keyof RecoveryMetrics, string])[] = [
  ['minRtt', 'min_rtt'], ['smoothedRtt', 'smoothed_rtt'], ['latestRtt', 'latest_rtt'], ['rttVariance', 'rtt_variance'],
  ['ptoCount', 'pto_count'], ['congestionWindow', 'congestion_window'], ['bytesInFlight', 'bytes_in_flight'],
  ['ssthresh', 'ssthresh'], ['packetsInFlight', 'packets_in_flight'], ['pacingRate', 'pacing_rate'],
];

/** A QUIC version as a qlog hexstring (8 hex digits). */
export function qlogVersion(version: number): string {
  return (version >>> 0).toString(16).padStart(8, '0');
}

/** Milliseconds rounded to microseconds, to keep records short. */
function roundTime(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class QlogTrace {
  readonly #sink: QlogSink;
  readonly #reference: number;
  readonly #legacy: boolean;
  readonly #peerAckExp: number;
  readonly #localAckExp: number;
  readonly #metrics = new Map<string, number>();
  #closed = false;

  constructor(options: QlogTraceOptions) {
    this.#sink = options.sink;
    this.#reference = options.referenceNow;
    this.#legacy = options.eventNaming === 'legacy';
    this.#peerAckExp = options.peerAckDelayExponent ?? 3;
    this.#localAckExp = options.localAckDelayExponent ?? 3;
    const commonFields: Record<string, unknown> = {
      protocol_type: ['QUIC'],
      time_format: 'relative',
      reference_time: options.referenceTime ?? options.referenceNow,
    };
    if (options.odcid !== undefined) {
      commonFields['group_id'] = toHex(options.odcid);
      commonFields['ODCID'] = toHex(options.odcid);
    }
    const vantagePoint: Record<string, unknown> = { type: options.vantagePoint };
    if (options.vantagePointName !== undefined) vantagePoint['name'] = options.vantagePointName;
    const trace: Record<string, unknown> = { common_fields: commonFields, vantage_point: vantagePoint };
    const header: Record<string, unknown> = { qlog_version: QLOG_VERSION, qlog_format: QLOG_FORMAT_JSON_SEQ };
    if (options.title !== undefined) {
      header['title'] = options.title;
      trace['title'] = options.title;
    }
    if (options.description !== undefined) {
      header['description'] = options.description;
      trace['description'] = options.description;
    }
    header['trace'] = trace;
    this.#sink(jsonSeqRecord(header));
  }

  /** Whether `close()` was called; events after it are dropped. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops writing: later events are ignored. */
  close(): void {
    this.#closed = true;
  }

  /** Writes any event: `name` is "category:type", `data` its fields (Uint8Array values become hex). */
  event(now: number, name: string, data: Record<string, unknown>): void {
    if (this.#closed) return;
    const eventName = this.#legacy ? legacyEventName(name) : name;
    this.#sink(jsonSeqRecord({ time: roundTime(now - this.#reference), name: eventName, data }));
  }

  /** quic:connection_started. */
  connectionStarted(now: number, info: {
    ipVersion?: 'ipv4' | 'ipv6'; srcIp?: string; dstIp?: string; srcPort?: number; dstPort?: number;
    srcCid?: Uint8Array; dstCid?: Uint8Array;
  }): void {
    this.event(now, QlogEventName.connectionStarted, compact({
      ip_version: info.ipVersion, src_ip: info.srcIp, dst_ip: info.dstIp, protocol: 'QUIC',
      src_port: info.srcPort, dst_port: info.dstPort, src_cid: hex(info.srcCid), dst_cid: hex(info.dstCid),
    }));
  }

  /**
   * quic:connection_closed. `owner` is the side that closed; give the transport error code or
   * the application error code, and the trigger ("clean", "handshake_timeout", "idle_timeout",
   * "error", "stateless_reset", "version_mismatch", "application").
   */
  connectionClosed(now: number, info: {
    owner?: 'local' | 'remote'; transportCode?: number; applicationCode?: number; internalCode?: number;
    reason?: string; trigger?: string;
  }): void {
    this.event(now, QlogEventName.connectionClosed, compact({
      owner: info.owner,
      connection_code: info.transportCode === undefined ? undefined : qlogTransportError(info.transportCode),
      application_code: info.applicationCode,
      internal_code: info.internalCode,
      reason: info.reason,
      trigger: info.trigger,
    }));
  }

  /** quic:connection_state_updated ("attempted", "handshake_started", "handshake_complete", "handshake_confirmed", "closing", "draining", "closed"). */
  connectionStateUpdated(now: number, state: { old?: string; new: string }): void {
    this.event(now, QlogEventName.connectionStateUpdated, compact({ old: state.old, new: state.new }));
  }

  /** quic:connection_id_updated: the connection ID in use changed on one side. */
  connectionIdUpdated(now: number, info: { owner: 'local' | 'remote'; old?: Uint8Array; new?: Uint8Array }): void {
    this.event(now, QlogEventName.connectionIdUpdated, compact({ owner: info.owner, old: hex(info.old), new: hex(info.new) }));
  }

  /** quic:version_information. */
  versionInformation(now: number, info: { serverVersions?: readonly number[]; clientVersions?: readonly number[]; chosenVersion?: number }): void {
    this.event(now, QlogEventName.versionInformation, compact({
      server_versions: info.serverVersions?.map(qlogVersion),
      client_versions: info.clientVersions?.map(qlogVersion),
      chosen_version: info.chosenVersion === undefined ? undefined : qlogVersion(info.chosenVersion),
    }));
  }

  /** quic:alpn_information. */
  alpnInformation(now: number, info: { serverAlpns?: readonly string[]; clientAlpns?: readonly string[]; chosenAlpn?: string }): void {
    this.event(now, QlogEventName.alpnInformation, compact({
      server_alpns: info.serverAlpns, client_alpns: info.clientAlpns, chosen_alpn: info.chosenAlpn,
    }));
  }

  /** quic:parameters_set: transport parameters in qlog's snake_case names, given as is. */
  parametersSet(now: number, owner: 'local' | 'remote', parameters: Record<string, unknown>): void {
    this.event(now, QlogEventName.parametersSet, { owner, ...parameters });
  }

  /** quic:packet_sent. */
  packetSent(now: number, packet: PacketEventInfo): void {
    this.event(now, QlogEventName.packetSent, this.#packetData(packet, this.#localAckExp));
  }

  /** quic:packet_received. */
  packetReceived(now: number, packet: PacketEventInfo): void {
    this.event(now, QlogEventName.packetReceived, this.#packetData(packet, this.#peerAckExp));
  }

  /**
   * quic:packet_dropped, with a trigger such as "key_unavailable", "unknown_connection_id",
   * "header_parse_error", "payload_decrypt_error", "protocol_violation", "dos_prevention",
   * "unsupported_version", "unexpected_packet", "duplicate" or "invalid_initial".
   */
  packetDropped(now: number, info: { header?: PacketHeaderInfo; length?: number; trigger?: string }): void {
    this.event(now, QlogEventName.packetDropped, compact({
      header: info.header === undefined ? undefined : qlogPacketHeader(info.header),
      raw: info.length === undefined ? undefined : { length: info.length },
      trigger: info.trigger,
    }));
  }

  /** quic:packet_buffered (e.g. trigger "keys_unavailable"). */
  packetBuffered(now: number, info: { header?: PacketHeaderInfo; length?: number; trigger?: string }): void {
    this.event(now, QlogEventName.packetBuffered, compact({
      header: info.header === undefined ? undefined : qlogPacketHeader(info.header),
      raw: info.length === undefined ? undefined : { length: info.length },
      trigger: info.trigger,
    }));
  }

  /** quic:stream_state_updated. */
  streamStateUpdated(now: number, info: { streamId: number; old?: string; new: string; side?: 'sending' | 'receiving' }): void {
    this.event(now, QlogEventName.streamStateUpdated, compact({
      stream_id: info.streamId, old: info.old, new: info.new, stream_side: info.side,
    }));
  }

  /**
   * security:key_updated. Secrets are logged only when passed in `secret`/`oldSecret`; the
   * trigger is "tls", "remote_update" or "local_update".
   */
  keyUpdated(now: number, info: { keyType: QlogKeyType; generation?: number; trigger?: string; secret?: Uint8Array; oldSecret?: Uint8Array }): void {
    this.event(now, QlogEventName.keyUpdated, compact({
      key_type: info.keyType, old: hex(info.oldSecret), new: hex(info.secret), generation: info.generation, trigger: info.trigger,
    }));
  }

  /** security:key_discarded. */
  keyDiscarded(now: number, info: { keyType: QlogKeyType; generation?: number; trigger?: string }): void {
    this.event(now, QlogEventName.keyDiscarded, compact({ key_type: info.keyType, generation: info.generation, trigger: info.trigger }));
  }

  /** recovery:parameters_set (RFC 9002 constants in use). */
  recoveryParametersSet(now: number, parameters: Record<string, number>): void {
    this.event(now, QlogEventName.recoveryParametersSet, { ...parameters });
  }

  /**
   * recovery:metrics_updated with only the figures that changed since the last call (the drafts
   * recommend logging changes only). Returns false, writing nothing, when nothing changed.
   */
  metricsUpdated(now: number, metrics: RecoveryMetrics): boolean {
    const data: Record<string, number> = {};
    let changed = false;
    for (const [key, field] of METRIC_FIELDS) {
      const value = metrics[key];
      if (value === undefined || this.#metrics.get(field) === value) continue;
      this.#metrics.set(field, value);
      data[field] = value;
      changed = true;
    }
    if (changed) this.event(now, QlogEventName.metricsUpdated, data);
    return changed;
  }

  /** recovery:congestion_state_updated ("slow_start", "congestion_avoidance", "application_limited", "recovery"). */
  congestionStateUpdated(now: number, state: { old?: string; new: string; trigger?: string }): void {
    this.event(now, QlogEventName.congestionStateUpdated, compact({ old: state.old, new: state.new, trigger: state.trigger }));
  }

  /** recovery:packet_lost, trigger "reordering_threshold", "time_threshold" or "pto_expired". */
  packetLost(now: number, info: { header: PacketHeaderInfo; frames?: readonly (Frame | QlogFrame)[]; trigger?: string }): void {
    this.event(now, QlogEventName.packetLost, compact({
      header: qlogPacketHeader(info.header),
      frames: info.frames?.map((f) => toQlogFrame(f, this.#localAckExp)),
      trigger: info.trigger,
    }));
  }

  #packetData(packet: PacketEventInfo, ackExp: number): Record<string, unknown> {
    let raw: QlogRawInfo | undefined;
    if (packet.length !== undefined || packet.payloadLength !== undefined) {
      raw = {};
      if (packet.length !== undefined) raw.length = packet.length;
      if (packet.payloadLength !== undefined) raw.payload_length = packet.payloadLength;
    }
    return compact({
      header: qlogPacketHeader(packet.header),
      frames: packet.frames?.map((f) => toQlogFrame(f, ackExp)),
      is_coalesced: packet.isCoalesced,
      stateless_reset_token: hex(packet.statelessResetToken),
      supported_versions: packet.supportedVersions?.map(qlogVersion),
      raw,
      trigger: packet.trigger,
    });
  }
}

/** The qlog PacketHeader of a packet. */
export function qlogPacketHeader(h: PacketHeaderInfo): QlogPacketHeader {
  const out: QlogPacketHeader = { packet_type: h.packetType };
  if (h.packetNumber !== undefined) out.packet_number = h.packetNumber;
  if (h.version !== undefined) out.version = qlogVersion(h.version);
  if (h.scid !== undefined) {
    out.scil = h.scid.length;
    out.scid = toHex(h.scid);
  }
  if (h.dcid !== undefined) {
    out.dcil = h.dcid.length;
    out.dcid = toHex(h.dcid);
  }
  if (h.token !== undefined && h.token.length > 0) out.token = { raw: { length: h.token.length } };
  if (h.keyPhase !== undefined) out.key_phase_bit = h.keyPhase;
  return out;
}

function toQlogFrame(f: Frame | QlogFrame, ackExp: number): QlogFrame {
  return 'frame_type' in f ? f : qlogFrame(f, ackExp);
}

function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : toHex(bytes);
}

/** The object without its undefined members (qlog omits absent optional fields). */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
