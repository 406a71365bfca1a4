/**
 * Events a connection queues for the application, pulled with `pollEvent()`.
 * @module
 */

/** Why a connection ended. */
export interface CloseReason {
  /** Transport error code (RFC 9000 §20.1) or application error code. */
  readonly code: number;
  /** True for an application close (CONNECTION_CLOSE 0x1d). */
  readonly application: boolean;
  /** Frame type that caused a transport error (0 if none). */
  readonly frameType: number;
  readonly reason: string;
  /** Who closed: 'local', 'remote' (CONNECTION_CLOSE received), 'idle' (idle timeout) or 'reset' (stateless reset). */
  readonly initiator: 'local' | 'remote' | 'idle' | 'reset';
  /**
   * A client's attempt ended by Version Negotiation: a version the server offered that we also
   * speak. A new connection attempt with it may follow (RFC 9368 §2.1).
   */
  readonly retryVersion?: number;
}

export type ConnectionEvent =
  /**
   * The handshake completed (RFC 9001 §4.1.1); streams may be used fully. `resumed`: a session
   * ticket was used (no certificate exchanged); `earlyDataAccepted`: the server took 0-RTT.
   */
  | { readonly type: 'connected'; readonly alpn: string | undefined; readonly resumed: boolean; readonly earlyDataAccepted: boolean }
  /**
   * 0-RTT was decided (client: when it learns it, before 'connected'; server: when it decides).
   * A rejection needs nothing from the application: what 0-RTT carried is sent again in 1-RTT.
   */
  | { readonly type: 'earlyData'; readonly accepted: boolean }
  /** Client: a session ticket arrived and is in the ticket store; `earlyData` when it allows 0-RTT. */
  | { readonly type: 'sessionTicket'; readonly lifetime: number; readonly earlyData: boolean }
  /** Client: a NEW_TOKEN token (RFC 9000 §8.1.3) to present on a future connection to this server. */
  | { readonly type: 'newToken'; readonly token: Uint8Array }
  /** The handshake is confirmed (RFC 9001 §4.1.2). */
  | { readonly type: 'handshakeConfirmed' }
  /** The peer opened a stream. */
  | { readonly type: 'streamOpened'; readonly streamId: number }
  /** Data, a FIN or a reset can be read from a stream. */
  | { readonly type: 'streamReadable'; readonly streamId: number }
  /** A stream whose write was cut short can take more data. */
  | { readonly type: 'streamWritable'; readonly streamId: number }
  /** The peer asked us to stop sending (STOP_SENDING); the send side was reset with this code. */
  | { readonly type: 'streamStopped'; readonly streamId: number; readonly errorCode: number }
  /** All data and the FIN of our side of a stream were acknowledged. */
  | { readonly type: 'streamSendComplete'; readonly streamId: number }
  /** The peer raised the stream limit after an open was blocked. */
  | { readonly type: 'streamsAvailable'; readonly dir: 'bidi' | 'uni' }
  /** Both directions of a stream are finished and it is forgotten. */
  | { readonly type: 'streamClosed'; readonly streamId: number }
  /** A DATAGRAM frame arrived (RFC 9221). */
  | { readonly type: 'datagram'; readonly data: Uint8Array }
  /** A key update happened (RFC 9001 §6); `phase` is the new key phase count. */
  | { readonly type: 'keyUpdate'; readonly generation: number; readonly initiator: 'local' | 'remote' }
  /** The connection is closing or draining: no more application data will flow. */
  | { readonly type: 'closing'; readonly reason: CloseReason }
  /** The connection is finished and can be dropped. */
  | { readonly type: 'closed'; readonly reason: CloseReason };

export type ConnectionEventType = ConnectionEvent['type'];
