/**
 * Errors the stream API raises to the application (not protocol violations: those are
 * TransportErrors). Each has a stable string code; `applicationErrorCode` carries the peer's
 * code from STOP_SENDING or RESET_STREAM where there is one.
 * @module
 */

export const QuicStreamErrorCode = {
  /** The peer sent STOP_SENDING; the stream was reset with its code. */
  STOPPED: 'ERR_QUIC_STREAM_STOPPED',
  /** The stream was reset (by us) and takes no more writes. */
  RESET: 'ERR_QUIC_STREAM_RESET',
  /** The stream was finished; no more writes. */
  FINISHED: 'ERR_QUIC_STREAM_FINISHED',
  /** No such stream (never opened, or already closed and forgotten). */
  UNKNOWN: 'ERR_QUIC_STREAM_UNKNOWN',
  /** The operation needs a direction the stream does not have (e.g. writing to a peer's unidirectional stream). */
  DIRECTION: 'ERR_QUIC_STREAM_DIRECTION',
} as const;
export type QuicStreamErrorCode = (typeof QuicStreamErrorCode)[keyof typeof QuicStreamErrorCode];

export class QuicStreamError extends Error {
  override readonly name = 'QuicStreamError';
  readonly code: QuicStreamErrorCode;
  readonly streamId: number;
  /** The application protocol error code involved, when there is one. */
  readonly applicationErrorCode: number | undefined;

  constructor(code: QuicStreamErrorCode, streamId: number, message: string, applicationErrorCode?: number) {
    super(`${code}: stream ${streamId}: ${message}`);
    this.code = code;
    this.streamId = streamId;
    this.applicationErrorCode = applicationErrorCode;
  }
}
