/**
 * The qlog vocabulary this stack writes: event names and the shapes of their data, after
 * draft-ietf-quic-qlog-main-schema (qlog_version "0.3") and draft-ietf-quic-qlog-quic-events of
 * the same generation (the "quic", "recovery" and "security" categories). Field names are the
 * drafts' snake_case ones; byte strings are lowercase hex.
 * @module
 */

/** The qlog_version this serializer writes. */
export const QLOG_VERSION = '0.3';
/** The qlog_format of JSON Text Sequences. */
export const QLOG_FORMAT_JSON_SEQ = 'JSON-SEQ';

/** Event names, per the QUIC event definitions. */
export const QlogEventName = {
  connectionStarted: 'quic:connection_started',
  connectionClosed: 'quic:connection_closed',
  connectionIdUpdated: 'quic:connection_id_updated',
  connectionStateUpdated: 'quic:connection_state_updated',
  versionInformation: 'quic:version_information',
  alpnInformation: 'quic:alpn_information',
  parametersSet: 'quic:parameters_set',
  packetSent: 'quic:packet_sent',
  packetReceived: 'quic:packet_received',
  packetDropped: 'quic:packet_dropped',
  packetBuffered: 'quic:packet_buffered',
  streamStateUpdated: 'quic:stream_state_updated',
  keyUpdated: 'security:key_updated',
  keyDiscarded: 'security:key_discarded',
  recoveryParametersSet: 'recovery:parameters_set',
  metricsUpdated: 'recovery:metrics_updated',
  congestionStateUpdated: 'recovery:congestion_state_updated',
  packetLost: 'recovery:packet_lost',
} as const;

/**
 * The names older tools (qvis's qlog draft-02 loader) know: the QUIC events under "connectivity"
 * and "transport" instead of "quic".
 */
export function legacyEventName(name: string): string {
  if (!name.startsWith('quic:')) return name;
  const type = name.slice(5);
  const connectivity = ['connection_started', 'connection_closed', 'connection_id_updated', 'connection_state_updated', 'spin_bit_updated'];
  return (connectivity.includes(type) ? 'connectivity:' : 'transport:') + type;
}

export type VantagePointType = 'client' | 'server' | 'network' | 'unknown';

export type QlogPacketType =
  | 'initial' | 'handshake' | '0RTT' | '1RTT' | 'retry' | 'version_negotiation' | 'stateless_reset' | 'unknown';

export type QlogKeyType =
  | 'server_initial_secret' | 'client_initial_secret'
  | 'server_handshake_secret' | 'client_handshake_secret'
  | 'server_0rtt_secret' | 'client_0rtt_secret'
  | 'server_1rtt_secret' | 'client_1rtt_secret';

/** RawInfo: lengths (and optionally bytes) of a packet or frame. */
export interface QlogRawInfo {
  length?: number;
  payload_length?: number;
  data?: string;
}

/** PacketHeader as qlog writes it. */
export interface QlogPacketHeader {
  packet_type: QlogPacketType;
  packet_number?: number;
  version?: string;
  scil?: number;
  dcil?: number;
  scid?: string;
  dcid?: string;
  token?: { type?: 'retry' | 'resumption'; raw?: QlogRawInfo };
  key_phase_bit?: boolean;
}

/** A QUIC frame as qlog writes it: `frame_type` plus the frame's fields. */
export interface QlogFrame {
  frame_type: string;
  [field: string]: unknown;
}
