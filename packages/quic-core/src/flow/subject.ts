/**
 * What a flow-control limit applies to (RFC 9000 §4): the whole connection's stream data, one
 * stream's data, or the count of streams of one direction the peer may open. Each subject knows
 * the frame that raises its limit (MAX_DATA §19.9, MAX_STREAM_DATA §19.10, MAX_STREAMS §19.11),
 * the frame that reports being blocked at a limit (DATA_BLOCKED §19.12, STREAM_DATA_BLOCKED
 * §19.13, STREAMS_BLOCKED §19.14), and the error a peer's violation raises.
 * @module
 */
import { TransportErrorCode } from '../errors.ts';
import type {
  DataBlockedFrame, MaxDataFrame, MaxStreamDataFrame, MaxStreamsFrame, StreamDataBlockedFrame, StreamsBlockedFrame,
} from '../frame/types.ts';

/** Connection-level stream data (MAX_DATA / DATA_BLOCKED). */
export interface ConnectionDataSubject {
  kind: 'connection';
}

/** One stream's data (MAX_STREAM_DATA / STREAM_DATA_BLOCKED). */
export interface StreamDataSubject {
  kind: 'stream';
  streamId: number;
}

/** The cumulative count of streams of one direction (MAX_STREAMS / STREAMS_BLOCKED). */
export interface StreamCountSubject {
  kind: 'streams';
  bidi: boolean;
}

export type FlowSubject = ConnectionDataSubject | StreamDataSubject | StreamCountSubject;

/** The MAX_* frame type each subject uses. */
export type FlowUpdateFrame<S extends FlowSubject> = S extends ConnectionDataSubject
  ? MaxDataFrame
  : S extends StreamDataSubject
    ? MaxStreamDataFrame
    : MaxStreamsFrame;

/** The *_BLOCKED frame type each subject uses. */
export type FlowBlockedFrame<S extends FlowSubject> = S extends ConnectionDataSubject
  ? DataBlockedFrame
  : S extends StreamDataSubject
    ? StreamDataBlockedFrame
    : StreamsBlockedFrame;

/** Any frame a flow-control primitive produces. */
export type FlowControlFrame =
  | MaxDataFrame | MaxStreamDataFrame | MaxStreamsFrame | DataBlockedFrame | StreamDataBlockedFrame | StreamsBlockedFrame;

export const CONNECTION_SUBJECT: ConnectionDataSubject = Object.freeze({ kind: 'connection' });

/** The subject of stream `streamId`'s data. */
export function streamSubject(streamId: number): StreamDataSubject {
  return { kind: 'stream', streamId };
}

/** The subject of the count of bidirectional (`bidi`) or unidirectional streams. */
export function streamCountSubject(bidi: boolean): StreamCountSubject {
  return { kind: 'streams', bidi };
}

/** The frame that advertises `maximum` for `subject`. */
export function updateFrameFor<S extends FlowSubject>(subject: S, maximum: number): FlowUpdateFrame<S> {
  const s: FlowSubject = subject;
  switch (s.kind) {
    case 'connection': return { type: 'maxData', maximum } as FlowUpdateFrame<S>;
    case 'stream': return { type: 'maxStreamData', streamId: s.streamId, maximum } as FlowUpdateFrame<S>;
    case 'streams': return { type: 'maxStreams', bidi: s.bidi, maximum } as FlowUpdateFrame<S>;
  }
}

/** The frame that reports being blocked at `limit` for `subject`. */
export function blockedFrameFor<S extends FlowSubject>(subject: S, limit: number): FlowBlockedFrame<S> {
  const s: FlowSubject = subject;
  switch (s.kind) {
    case 'connection': return { type: 'dataBlocked', limit } as FlowBlockedFrame<S>;
    case 'stream': return { type: 'streamDataBlocked', streamId: s.streamId, limit } as FlowBlockedFrame<S>;
    case 'streams': return { type: 'streamsBlocked', bidi: s.bidi, limit } as FlowBlockedFrame<S>;
  }
}

/**
 * The error for a peer that exceeds a limit we advertised: FLOW_CONTROL_ERROR for data
 * (RFC 9000 §4.1), STREAM_LIMIT_ERROR for stream counts (§4.6).
 */
export function violationCodeFor(subject: FlowSubject): number {
  return subject.kind === 'streams' ? TransportErrorCode.STREAM_LIMIT_ERROR : TransportErrorCode.FLOW_CONTROL_ERROR;
}

/** A short label for error reasons, e.g. `stream 4 data`. */
export function subjectLabel(subject: FlowSubject): string {
  switch (subject.kind) {
    case 'connection': return 'connection data';
    case 'stream': return `stream ${subject.streamId} data`;
    case 'streams': return subject.bidi ? 'bidirectional stream count' : 'unidirectional stream count';
  }
}
