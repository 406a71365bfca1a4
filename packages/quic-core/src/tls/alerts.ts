/**
 * TLS alert descriptions (RFC 8446 §6, RFC 7301 §3.2) and the typed error that carries one. In
 * QUIC an alert is never sent as a TLS record: it closes the connection with CRYPTO_ERROR
 * 0x0100 + alert (RFC 9001 §4.8).
 * @module
 */
import { TransportError } from '../errors.ts';

export const TlsAlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;
export type TlsAlertName = keyof typeof TlsAlertDescription;

/** Name of an alert code, e.g. `decrypt_error`, or `alert(N)` when unknown. */
export function tlsAlertName(code: number): string {
  for (const [name, value] of Object.entries(TlsAlertDescription)) if (value === code) return name;
  return `alert(${code})`;
}

/**
 * A fatal TLS alert raised by the handshake (a peer violation or a local verification failure).
 * `code` is the alert description; `toTransportError()` gives the QUIC CRYPTO_ERROR.
 */
export class TlsAlert extends Error {
  override readonly name = 'TlsAlert';
  /** RFC 8446 §6 alert description. */
  readonly code: number;
  /** Human reason (sent as the CONNECTION_CLOSE reason phrase). */
  readonly reason: string;

  constructor(alert: TlsAlertName | number, reason: string, options?: { cause?: unknown }) {
    const code = typeof alert === 'number' ? alert : TlsAlertDescription[alert];
    super(`${tlsAlertName(code)}: ${reason}`, options);
    this.code = code;
    this.reason = reason;
  }

  /** The QUIC transport error for this alert: CRYPTO_ERROR (0x0100 + alert), RFC 9001 §4.8. */
  toTransportError(): TransportError {
    return TransportError.crypto(this.code, this.reason);
  }
}

/** Shorthand used by the decoders: throw a TlsAlert. */
export function tlsFail(alert: TlsAlertName, reason: string, cause?: unknown): never {
  throw new TlsAlert(alert, reason, cause === undefined ? undefined : { cause });
}
