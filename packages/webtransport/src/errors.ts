/**
 * WebTransport error codes and the mapping of application error codes into the HTTP/3 error
 * space (draft-ietf-webtrans-http3 §4.4: 32-bit WT codes are spread over a reserved range that
 * skips the HTTP/3 GREASE codepoints 0x1f * N + 0x21).
 * @module
 */

/** First HTTP/3 error code of the WebTransport application range. */
export const WT_APPLICATION_ERROR_FIRST = 0x52e4a40fa8db;
/** Last HTTP/3 error code of the WebTransport application range. */
export const WT_APPLICATION_ERROR_LAST = 0x52e5ac983162;

/** Session- and stream-level codes from the draft (§9). */
export const WebTransportErrorCode = {
  WT_BUFFERED_STREAM_REJECTED: 0x3994bd84,
  WT_SESSION_GONE: 0x170d7b68,
  WT_FLOW_CONTROL_ERROR: 0x045d4487,
  WT_ALPN_ERROR: 0x0817b3dd,
  WT_REQUIREMENTS_NOT_MET: 0x212c0d48,
} as const;

/** Maps a 32-bit WebTransport application error code to its HTTP/3 error code. */
export function webTransportCodeToHttp3(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 0xffffffff) throw new RangeError(`not a 32-bit WebTransport error code: ${code}`);
  return WT_APPLICATION_ERROR_FIRST + code + Math.floor(code / 0x1e);
}

/**
 * Maps an HTTP/3 error code back to the WebTransport code, or undefined when it is outside the
 * range or is one of the reserved GREASE codepoints.
 */
export function http3CodeToWebTransport(h3: number): number | undefined {
  if (h3 < WT_APPLICATION_ERROR_FIRST || h3 > WT_APPLICATION_ERROR_LAST) return undefined;
  if ((h3 - 0x21) % 0x1f === 0) return undefined; // GREASE codepoint
  const shifted = h3 - WT_APPLICATION_ERROR_FIRST;
  return shifted - Math.floor(shifted / 0x1f);
}

/** Where a {@link WebTransportError} came from (W3C WebTransport §5.9). */
export type WebTransportErrorSource = 'stream' | 'session';

/**
 * The error of the API (W3C WebTransport's `WebTransportError`): a stream reset or stopped by
 * the peer (`source` 'stream', `streamErrorCode` the peer's application code when it has one), or
 * a session that failed (`source` 'session'; `code` the HTTP/3 or transport code when known).
 */
export class WebTransportError extends Error {
  override readonly name = 'WebTransportError';
  readonly source: WebTransportErrorSource;
  readonly streamErrorCode: number | null;
  /** The HTTP/3 or QUIC error code behind it, when there is one. */
  readonly code: number | undefined;

  constructor(message: string, init: { source?: WebTransportErrorSource; streamErrorCode?: number | null; code?: number; cause?: unknown } = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.source = init.source ?? 'stream';
    this.streamErrorCode = init.streamErrorCode ?? null;
    this.code = init.code;
  }
}

/** A connect, accept or request that did not finish in time. */
export class WebTransportTimeoutError extends Error {
  override readonly name = 'WebTransportTimeoutError';
}

/** What a {@link WebTransportConnectionError} is about. */
export type WebTransportConnectionErrorKind =
  /** The connection is closed or closing. */
  | 'closed'
  /** The operation belongs to the other role (e.g. `createSession` on a server connection). */
  | 'wrong-role'
  /** The peer refused the session (`status` is set) or the request failed (`code`). */
  | 'session-refused';

/**
 * An operation of `WebTransportConnection` that cannot be done: `code` is the HTTP/3 error code
 * behind it (H3_NO_ERROR 0x100 for a connection closed cleanly, the close code when the peer
 * closed it, H3_REQUEST_REJECTED 0x10b for a request that was never processed, ...).
 */
export class WebTransportConnectionError extends Error {
  override readonly name = 'WebTransportConnectionError';
  readonly kind: WebTransportConnectionErrorKind;
  readonly code: number;
  /** HTTP status of a refused session (0 when none). */
  readonly status: number;

  constructor(message: string, init: { kind: WebTransportConnectionErrorKind; code: number; status?: number; cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status ?? 0;
  }
}

/** Codes of {@link LoadBalancerError}. */
export const LoadBalancerErrorCode = {
  /** No target is healthy (or none is configured). */
  NO_HEALTHY_TARGET: 1,
  /** The load balancer was shut down. */
  SHUT_DOWN: 2,
  /** No target has that id. */
  UNKNOWN_TARGET: 3,
  /** A weight that is not a finite number >= 0. */
  INVALID_WEIGHT: 4,
  /** The connection factory failed for every healthy target tried. */
  CONNECT_FAILED: 5,
} as const;
export type LoadBalancerErrorCode = (typeof LoadBalancerErrorCode)[keyof typeof LoadBalancerErrorCode];

/** A load balancer operation that failed; `code` is one of {@link LoadBalancerErrorCode}. */
export class LoadBalancerError extends Error {
  override readonly name = 'LoadBalancerError';
  constructor(readonly code: LoadBalancerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
