/**
 * What the sans-IO WebTransport connection reports, pulled one at a time with `pollEvent()`.
 * Stream IDs are QUIC stream IDs; session IDs are the CONNECT streams' IDs. Data views are valid
 * until the next input or command.
 * @module
 */
import type { H3Event, QpackField } from '@quicts/h3';
import type { WtDialect } from './dialect.ts';

/** The peer's SETTINGS arrived: the dialect chosen, or undefined when we share none. */
export interface WtSettingsEvent {
  readonly kind: 'settings';
  readonly dialect: WtDialect | undefined;
  readonly flowControl: boolean;
}

/** What a session request asks for (server). */
export interface WtSessionRequest {
  readonly authority: string;
  readonly path: string;
  readonly origin: string | undefined;
  /** WT-Available-Protocols, in the client's order of preference (empty when absent or ignored). */
  readonly protocols: readonly string[];
  readonly headers: readonly QpackField[];
}

/** Server: a client asks for a session; answer with `acceptSession` or `rejectSession`. */
export interface WtSessionRequestEvent {
  readonly kind: 'session-request';
  readonly sessionId: number;
  readonly request: WtSessionRequest;
}

/** Client: the server accepted the session (2xx). */
export interface WtSessionReadyEvent {
  readonly kind: 'session-ready';
  readonly sessionId: number;
  readonly status: number;
  /** WT-Protocol, when the server picked one of ours. */
  readonly protocol: string | undefined;
  readonly headers: readonly QpackField[];
}

/** Client: the server refused the session (a status other than 2xx). */
export interface WtSessionRejectedEvent {
  readonly kind: 'session-rejected';
  readonly sessionId: number;
  readonly status: number;
  readonly headers: readonly QpackField[];
}

/** The peer asked to wind the session down (DRAIN capsule or HTTP/3 GOAWAY). */
export interface WtSessionDrainingEvent {
  readonly kind: 'session-draining';
  readonly sessionId: number;
}

/**
 * The session ended. `code`/`reason` come from CLOSE_WEBTRANSPORT_SESSION (0 and '' for a clean
 * end without it); `error` is the HTTP/3 code when it ended abnormally (CONNECT stream reset,
 * protocol error, connection closed); `remote` says who ended it.
 */
export interface WtSessionClosedEvent {
  readonly kind: 'session-closed';
  readonly sessionId: number;
  readonly code: number;
  readonly reason: string;
  readonly remote: boolean;
  readonly error?: number;
}

/** The peer opened a stream in a session. */
export interface WtStreamOpenedEvent {
  readonly kind: 'stream-opened';
  readonly sessionId: number;
  readonly streamId: number;
  readonly bidi: boolean;
}

/** Bytes (possibly none, with `fin`) on a session stream. */
export interface WtStreamDataEvent {
  readonly kind: 'stream-data';
  readonly sessionId: number;
  readonly streamId: number;
  readonly data: Uint8Array;
  readonly fin: boolean;
}

/**
 * The peer reset its sending side of a stream. `code` is the WebTransport application code,
 * undefined when `h3Code` is outside the application range (e.g. WT_SESSION_GONE, §4.4).
 */
export interface WtStreamResetEvent {
  readonly kind: 'stream-reset';
  readonly sessionId: number;
  readonly streamId: number;
  readonly code: number | undefined;
  readonly h3Code: number;
}

/** The peer asked us to stop sending; our side was reset with the same code. Codes as above. */
export interface WtStopSendingEvent {
  readonly kind: 'stop-sending';
  readonly sessionId: number;
  readonly streamId: number;
  readonly code: number | undefined;
  readonly h3Code: number;
}

/** A datagram of a session. */
export interface WtDatagramEvent {
  readonly kind: 'datagram';
  readonly sessionId: number;
  readonly payload: Uint8Array;
}

/** Session credit (data or streams) that had stopped us grew: writes or opens may go on. */
export interface WtSessionWritableEvent {
  readonly kind: 'session-writable';
  readonly sessionId: number;
}

/** Anything HTTP/3 reports that is not WebTransport's (ordinary requests, GOAWAY, errors). */
export interface WtH3PassThroughEvent {
  readonly kind: 'h3';
  readonly event: H3Event;
}

export type WtEvent =
  | WtSettingsEvent
  | WtSessionRequestEvent
  | WtSessionReadyEvent
  | WtSessionRejectedEvent
  | WtSessionDrainingEvent
  | WtSessionClosedEvent
  | WtStreamOpenedEvent
  | WtStreamDataEvent
  | WtStreamResetEvent
  | WtStopSendingEvent
  | WtDatagramEvent
  | WtSessionWritableEvent
  | WtH3PassThroughEvent;
