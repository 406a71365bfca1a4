/**
 * HTTP/3 (RFC 9114 §8.1) and QPACK (RFC 9204 §6) error codes, and the typed errors carrying them.
 * @module
 */

/** RFC 9114 §8.1 */
export const H3ErrorCode = {
  H3_DATAGRAM_ERROR: 0x33, // RFC 9297 §5.2
  H3_NO_ERROR: 0x0100,
  H3_GENERAL_PROTOCOL_ERROR: 0x0101,
  H3_INTERNAL_ERROR: 0x0102,
  H3_STREAM_CREATION_ERROR: 0x0103,
  H3_CLOSED_CRITICAL_STREAM: 0x0104,
  H3_FRAME_UNEXPECTED: 0x0105,
  H3_FRAME_ERROR: 0x0106,
  H3_EXCESSIVE_LOAD: 0x0107,
  H3_ID_ERROR: 0x0108,
  H3_SETTINGS_ERROR: 0x0109,
  H3_MISSING_SETTINGS: 0x010a,
  H3_REQUEST_REJECTED: 0x010b,
  H3_REQUEST_CANCELLED: 0x010c,
  H3_REQUEST_INCOMPLETE: 0x010d,
  H3_MESSAGE_ERROR: 0x010e,
  H3_CONNECT_ERROR: 0x010f,
  H3_VERSION_FALLBACK: 0x0110,
} as const;

/** RFC 9204 §6 */
export const QpackErrorCode = {
  QPACK_DECOMPRESSION_FAILED: 0x0200,
  QPACK_ENCODER_STREAM_ERROR: 0x0201,
  QPACK_DECODER_STREAM_ERROR: 0x0202,
} as const;

function nameOf(table: Record<string, number>, code: number): string {
  for (const [name, value] of Object.entries(table)) if (value === code) return name;
  return `0x${code.toString(16)}`;
}

/** Name of an HTTP/3 or QPACK error code. */
export function h3ErrorName(code: number): string {
  return nameOf({ ...H3ErrorCode, ...QpackErrorCode }, code);
}

/**
 * An HTTP/3 protocol error. `scope` says whether it closes the connection (RFC 9114 §8:
 * "connection error") or only resets the stream it arose on ("stream error").
 */
export class H3Error extends Error {
  override readonly name: string = 'H3Error';
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly scope: 'connection' | 'stream' = 'connection',
    options?: { cause?: unknown },
  ) {
    super(`${h3ErrorName(code)}: ${reason}`, options);
  }
}

/** A QPACK error (always a connection error, RFC 9204 §6). */
export class QpackError extends H3Error {
  override readonly name = 'QpackError';
  constructor(code: number, reason: string, options?: { cause?: unknown }) {
    super(code, reason, 'connection', options);
  }
}
