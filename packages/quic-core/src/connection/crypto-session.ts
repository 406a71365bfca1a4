/**
 * The TLS surface the QUIC connection needs (RFC 9001 §4), modelled on quinn's crypto::Session:
 * handshake bytes in and out per encryption level, traffic secrets as they become available, the
 * peer's transport parameters, and completion. The TLS 1.3 engine is one implementation; a
 * test-only null session (test/connection/null-session.ts) is another.
 * @module
 */
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import type { TlsTicketStore } from '../tls/ticket-store.ts';

/** Encryption levels that carry CRYPTO frames (0-RTT carries none, RFC 9001 §4.1.4). */
export type CryptoLevel = 'initial' | 'handshake' | 'oneRtt';

/** A traffic secret for one level and direction. */
export interface TrafficSecret {
  readonly level: 'zeroRtt' | 'handshake' | 'oneRtt';
  readonly direction: 'read' | 'write';
  readonly suite: CipherSuite;
  readonly secret: Uint8Array;
}

export type CryptoSessionEvent =
  /** Handshake bytes to send in CRYPTO frames at `level`, in order. */
  | { readonly kind: 'data'; readonly level: CryptoLevel; readonly data: Uint8Array }
  /** New keys. Write secrets come before the data that must be sent with them. */
  | { readonly kind: 'secret'; readonly secret: TrafficSecret }
  /** The peer's quic_transport_parameters extension (RFC 9001 §8.2), still encoded. */
  | { readonly kind: 'peerTransportParameters'; readonly bytes: Uint8Array }
  /** The handshake finished on this side (RFC 9001 §4.1.1). */
  | {
      readonly kind: 'handshakeComplete';
      readonly alpn: string | undefined;
      readonly resumed: boolean;
      readonly earlyDataAccepted: boolean;
    }
  /** An SSLKEYLOGFILE line (only when key logging is enabled). */
  | { readonly kind: 'keylog'; readonly line: string }
  /**
   * Client: 0-RTT is attempted with a resumed session. Comes before the 0-RTT write secret, with
   * the server's transport parameters remembered with the ticket (RFC 9000 §7.4.1), still encoded.
   */
  | { readonly kind: 'earlyDataOffered'; readonly rememberedParameters: Uint8Array | undefined }
  /** Whether the server accepted 0-RTT (client: when it learns it; server: when it decides). */
  | { readonly kind: 'earlyData'; readonly accepted: boolean }
  /** Client: a session ticket arrived and was stored; `earlyData` when it allows 0-RTT. */
  | { readonly kind: 'sessionTicket'; readonly lifetime: number; readonly earlyData: boolean };

export interface CryptoSession {
  readonly isClient: boolean;
  /** Starts the handshake (the client produces its ClientHello). */
  start(): void;
  /**
   * Handshake bytes received in CRYPTO frames at `level`, delivered in order. Throws a
   * TransportError (CRYPTO_ERROR + alert, RFC 9001 §4.8) when the handshake fails.
   */
  readHandshake(level: CryptoLevel, data: Uint8Array): void;
  /** Next output of the session, or null. */
  poll(): CryptoSessionEvent | null;
}

export interface CryptoSessionParams {
  readonly isClient: boolean;
  /** Our transport parameters, encoded (RFC 9000 §18). */
  readonly transportParameters: Uint8Array;
  /** The QUIC version in use; the session may need it for the extension codepoint. */
  readonly version: number;
  /**
   * Client: where session tickets are kept between connections and taken from, unless the session
   * has its own store (sessions without resumption ignore it).
   */
  readonly ticketStore?: TlsTicketStore;
  /** Client: attempt 0-RTT when the offered ticket allows it, unless the session says otherwise. */
  readonly earlyData?: boolean;
}

/** Creates the crypto session of a new connection. */
export type CryptoSessionFactory = (params: CryptoSessionParams) => CryptoSession;
