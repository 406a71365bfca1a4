/**
 * Why an HTTP/3 request, response or body failed on the node API: a stable string code, and the
 * HTTP/3 error code on the wire where there is one.
 * @module
 */
import { h3ErrorName } from '../errors.ts';

export type H3RequestErrorCode =
  /** The peer reset the stream (RESET_STREAM); `h3Code` is its code. */
  | 'ERR_H3_STREAM_RESET'
  /** The peer asked us to stop sending (STOP_SENDING); `h3Code` is its code. */
  | 'ERR_H3_STREAM_STOPPED'
  /** The peer broke the HTTP/3 rules on this stream; we reset it with `h3Code` (RFC 9114 §8). */
  | 'ERR_H3_STREAM_ERROR'
  /** The server's GOAWAY refused the request before processing it: it may be retried elsewhere. */
  | 'ERR_H3_REQUEST_REJECTED'
  /** The connection is closing after GOAWAY and takes no new requests. */
  | 'ERR_H3_GOAWAY'
  /** The connection closed; `h3Code` is its close code. */
  | 'ERR_H3_CONNECTION_CLOSED';

export class H3RequestError extends Error {
  override readonly name = 'H3RequestError';
  constructor(readonly code: H3RequestErrorCode, readonly h3Code: number | undefined, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  static stream(code: H3RequestErrorCode, h3Code: number, streamId: number): H3RequestError {
    return new H3RequestError(code, h3Code, `stream ${streamId}: ${code} (${h3ErrorName(h3Code)})`);
  }
}
