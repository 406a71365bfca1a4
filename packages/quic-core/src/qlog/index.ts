/**
 * qlog (draft-ietf-quic-qlog-main-schema, draft-ietf-quic-qlog-quic-events): a sans-IO trace
 * writer producing JSON-SEQ records for a sink.
 * @module
 */
export { RECORD_SEPARATOR, jsonSeqRecord, parseJsonSeq } from './json-seq.ts';
export type { QlogSink } from './json-seq.ts';
export { QLOG_VERSION, QLOG_FORMAT_JSON_SEQ, QlogEventName, legacyEventName } from './schema.ts';
export type {
  VantagePointType, QlogPacketType, QlogKeyType, QlogRawInfo, QlogPacketHeader, QlogFrame,
} from './schema.ts';
export { qlogFrame, qlogTransportError } from './frames.ts';
export { QlogTrace, qlogPacketHeader, qlogVersion } from './trace.ts';
export type { QlogTraceOptions, PacketHeaderInfo, PacketEventInfo, RecoveryMetrics } from './trace.ts';
