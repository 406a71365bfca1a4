/**
 * Streams (RFC 9000 §2-§4): stream IDs, send buffer and reassembly, the sending and receiving
 * state machines, and the per-connection StreamsManager.
 * @module
 */
export {
  StreamType, MAX_STREAM_ID, streamTypeBits, streamInitiator, streamDir, isBidiStream, isUniStream, isLocalStream,
  streamIndex, makeStreamId, peerSide, streamParts,
} from './stream-id.ts';
export type { StreamSide, StreamDir } from './stream-id.ts';
export { SendBuffer } from './send-buffer.ts';
export type { SendChunk } from './send-buffer.ts';
export { Reassembler } from './reassembler.ts';
export type { ReassemblerOptions } from './reassembler.ts';
export { SendStream } from './send-stream.ts';
export type { SendState, SendStateKind } from './send-stream.ts';
export { RecvStream } from './recv-stream.ts';
export type { RecvState, RecvStateKind, RecvReadResult } from './recv-stream.ts';
export { RoundRobin } from './scheduler.ts';
export { QuicStreamError, QuicStreamErrorCode } from './errors.ts';
export { DEFAULT_STREAMS_CONFIG } from './config.ts';
export type { StreamsConfig, PeerStreamLimits } from './config.ts';
export type { StreamEvent, StreamEventType } from './events.ts';
export { StreamsManager } from './streams.ts';
export type { OpenStreamResult, StreamChunk, StreamsControlFrame, IncomingStreamFrame } from './streams.ts';
