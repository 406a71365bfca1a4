/**
 * Configuration of a connection's streams: the limits we grant the peer (which become our
 * transport parameters, RFC 9000 §18.2), auto-tuning bounds, and buffer bounds; and the peer's
 * transport parameters that limit us.
 * @module
 */
import type { StreamSide } from './stream-id.ts';

export interface StreamsConfig {
  /** Which endpoint we are. */
  side: StreamSide;
  /** initial_max_streams_bidi we advertise: how many bidirectional streams the peer may open at once. */
  maxStreamsBidi: number;
  /** initial_max_streams_uni we advertise. */
  maxStreamsUni: number;
  /** initial_max_stream_data_bidi_local: our window on bidirectional streams we open. */
  streamWindowBidiLocal: number;
  /** initial_max_stream_data_bidi_remote: our window on bidirectional streams the peer opens. */
  streamWindowBidiRemote: number;
  /** initial_max_stream_data_uni: our window on unidirectional streams the peer opens. */
  streamWindowUni: number;
  /** Largest stream window auto-tuning may reach. */
  maxStreamWindow: number;
  /** initial_max_data: our connection window. */
  connectionWindow: number;
  /** Largest connection window auto-tuning may reach; it bounds the bytes buffered across all streams. */
  maxConnectionWindow: number;
  /** Most unacknowledged bytes one stream holds for sending. */
  sendBufferPerStream: number;
  /** Most unacknowledged bytes all streams together hold for sending. */
  sendBufferTotal: number;
}

/** Defaults: 100 streams each way, 256 KiB stream and 1 MiB connection windows tuning up to 16/24 MiB. */
export const DEFAULT_STREAMS_CONFIG: Readonly<Omit<StreamsConfig, 'side'>> = Object.freeze({
  maxStreamsBidi: 100,
  maxStreamsUni: 100,
  streamWindowBidiLocal: 256 * 1024,
  streamWindowBidiRemote: 256 * 1024,
  streamWindowUni: 256 * 1024,
  maxStreamWindow: 16 * 1024 * 1024,
  connectionWindow: 1024 * 1024,
  maxConnectionWindow: 24 * 1024 * 1024,
  sendBufferPerStream: 1024 * 1024,
  sendBufferTotal: 16 * 1024 * 1024,
});

/**
 * The peer's transport parameters that limit our streams (RFC 9000 §18.2); the field names match
 * `TransportParameters`, so a decoded parameter set can be passed as is.
 */
export interface PeerStreamLimits {
  initialMaxData: number;
  /** Applies to bidirectional streams the peer opens. */
  initialMaxStreamDataBidiLocal: number;
  /** Applies to bidirectional streams we open. */
  initialMaxStreamDataBidiRemote: number;
  /** Applies to unidirectional streams we open. */
  initialMaxStreamDataUni: number;
  initialMaxStreamsBidi: number;
  initialMaxStreamsUni: number;
}
