/**
 * Transport error codes (RFC 9000 §20.1, RFC 9221, RFC 9368) and the typed errors that carry them.
 * @module
 */

/** RFC 9000 §20.1 transport error codes. CRYPTO_ERROR is a range: 0x0100 + TLS alert. */
export const TransportErrorCode = {
  NO_ERROR: 0x00,
  INTERNAL_ERROR: 0x01,
  CONNECTION_REFUSED: 0x02,
  FLOW_CONTROL_ERROR: 0x03,
  STREAM_LIMIT_ERROR: 0x04,
  STREAM_STATE_ERROR: 0x05,
  FINAL_SIZE_ERROR: 0x06,
  FRAME_ENCODING_ERROR: 0x07,
  TRANSPORT_PARAMETER_ERROR: 0x08,
  CONNECTION_ID_LIMIT_ERROR: 0x09,
  PROTOCOL_VIOLATION: 0x0a,
  INVALID_TOKEN: 0x0b,
  APPLICATION_ERROR: 0x0c,
  CRYPTO_BUFFER_EXCEEDED: 0x0d,
  KEY_UPDATE_ERROR: 0x0e,
  AEAD_LIMIT_REACHED: 0x0f,
  NO_VIABLE_PATH: 0x10,
  /** RFC 9368 §4 */
  VERSION_NEGOTIATION_ERROR: 0x11,
  CRYPTO_ERROR: 0x0100,
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode] | number;

const descriptions: Record<number, string> = {
  0x00: 'no error',
  0x01: 'implementation error',
  0x02: 'server refuses a connection',
  0x03: 'flow control error',
  0x04: 'too many streams opened',
  0x05: 'frame received in invalid stream state',
  0x06: 'change to final size',
  0x07: 'frame encoding error',
  0x08: 'error in transport parameters',
  0x09: 'too many connection IDs received',
  0x0a: 'generic protocol violation',
  0x0b: 'invalid token received',
  0x0c: 'application error',
  0x0d: 'CRYPTO data buffer overflowed',
  0x0e: 'invalid packet protection update',
  0x0f: 'excessive use of packet protection keys',
  0x10: 'no viable network path exists',
  0x11: 'version negotiation error',
};

/** Name of a transport error code, e.g. `FRAME_ENCODING_ERROR` or `CRYPTO_ERROR(0x28)`. */
export function transportErrorName(code: number): string {
  if (code >= 0x0100 && code <= 0x01ff) return `CRYPTO_ERROR(0x${(code - 0x100).toString(16).padStart(2, '0')})`;
  for (const [name, value] of Object.entries(TransportErrorCode)) if (value === code) return name;
  return `UNKNOWN(0x${code.toString(16)})`;
}

/** Human description of a transport error code (RFC 9000 Table 7). */
export function transportErrorDescription(code: number): string {
  if (code >= 0x0100 && code <= 0x01ff) return 'TLS alert';
  return descriptions[code] ?? 'unknown error';
}

/**
 * A QUIC transport-level protocol error: the connection is closed with a CONNECTION_CLOSE
 * frame of type 0x1c carrying `code`, `frameType` and `reason` (RFC 9000 §19.19).
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  /** RFC 9000 §20.1 error code. */
  readonly code: number;
  /** Type of the frame that triggered the error, 0 when unknown or not frame-related. */
  readonly frameType: number;
  /** Reason phrase sent to the peer. */
  readonly reason: string;

  constructor(code: number, reason: string, frameType = 0, options?: { cause?: unknown }) {
    super(`${transportErrorName(code)}: ${reason}`, options);
    this.code = code;
    this.frameType = frameType;
    this.reason = reason;
  }

  /** CRYPTO_ERROR for a TLS alert (RFC 9001 §4.8). */
  static crypto(alert: number, reason: string): TransportError {
    return new TransportError(TransportErrorCode.CRYPTO_ERROR + (alert & 0xff), reason, 0x06);
  }
}

/**
 * Bytes ended before a value did, or a value is out of its allowed range. Thrown by
 * {@link Reader}; each decoder turns it into the protocol error its context requires
 * (FRAME_ENCODING_ERROR for frames, TRANSPORT_PARAMETER_ERROR for transport parameters, ...).
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}
