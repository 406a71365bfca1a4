/**
 * What an H3 connection reports, pulled one at a time with `pollEvent()`.
 * @module
 */
import type { DecodedField } from './qpack/types.ts';
import type { H3Settings } from './settings.ts';

/** A header section arrived: a request (server), a response or interim response (client). */
export interface H3HeadersReceived {
  readonly kind: 'headers';
  readonly streamId: number;
  readonly headers: readonly DecodedField[];
  /** The stream ended right after it (otherwise a later event carries the end). */
  readonly endStream: boolean;
  /** A 1xx response; the final one follows. */
  readonly interim: boolean;
  /** For a pushed response: its push ID. */
  readonly pushId?: number;
}

/** Content arrived (possibly empty when only the end of the stream is reported). */
export interface H3DataReceived {
  readonly kind: 'data';
  readonly streamId: number;
  readonly data: Uint8Array;
  readonly endStream: boolean;
}

/** A trailer section arrived. */
export interface H3TrailersReceived {
  readonly kind: 'trailers';
  readonly streamId: number;
  readonly headers: readonly DecodedField[];
  readonly endStream: boolean;
}

/** The server promised a push on a request stream (client only). */
export interface H3PushPromiseReceived {
  readonly kind: 'push-promise';
  readonly streamId: number;
  readonly pushId: number;
  readonly headers: readonly DecodedField[];
}

/** The peer cancelled a push (CANCEL_PUSH). */
export interface H3PushCancelled {
  readonly kind: 'push-cancelled';
  readonly pushId: number;
}

/** The client raised its push limit (server only). */
export interface H3MaxPushIdReceived {
  readonly kind: 'max-push-id';
  readonly pushId: number;
}

/** An HTTP/3 datagram for a request stream (RFC 9297). */
export interface H3DatagramReceived {
  readonly kind: 'datagram';
  readonly streamId: number;
  readonly payload: Uint8Array;
}

/** The peer's SETTINGS arrived. */
export interface H3SettingsReceived {
  readonly kind: 'settings';
  readonly settings: H3Settings;
}

/** The peer sent GOAWAY: a stream ID from a server, a push ID from a client. */
export interface H3GoawayReceived {
  readonly kind: 'goaway';
  readonly id: number;
}

/**
 * A request we sent will not be processed because of the server's GOAWAY (RFC 9114 §5.2); it
 * was cancelled locally and may be retried on another connection.
 */
export interface H3RequestRejected {
  readonly kind: 'request-rejected';
  readonly streamId: number;
}

/** The peer reset its sending side of a stream. */
export interface H3StreamReset {
  readonly kind: 'stream-reset';
  readonly streamId: number;
  readonly code: number;
}

/** The peer asked us to stop sending; our sending side was reset with the same code. */
export interface H3StopSendingReceived {
  readonly kind: 'stop-sending';
  readonly streamId: number;
  readonly code: number;
}

/** A stream error (RFC 9114 §8): we reset the stream and stopped reading it. */
export interface H3StreamError {
  readonly kind: 'stream-error';
  readonly streamId: number;
  readonly code: number;
  readonly reason: string;
}

/** A connection error (RFC 9114 §8): we closed the connection with `code`. */
export interface H3ConnectionError {
  readonly kind: 'connection-error';
  readonly code: number;
  readonly reason: string;
}

/** GOAWAY was exchanged and every request in flight has finished: the connection may close. */
export interface H3Drained {
  readonly kind: 'drained';
}

export type H3Event =
  | H3HeadersReceived
  | H3DataReceived
  | H3TrailersReceived
  | H3PushPromiseReceived
  | H3PushCancelled
  | H3MaxPushIdReceived
  | H3DatagramReceived
  | H3SettingsReceived
  | H3GoawayReceived
  | H3RequestRejected
  | H3StreamReset
  | H3StopSendingReceived
  | H3StreamError
  | H3ConnectionError
  | H3Drained;
