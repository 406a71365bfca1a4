/**
 * Configuration and events of the TLS 1.3 handshake engine for QUIC (RFC 9001 §4).
 * @module
 */
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import type { CryptoProvider, KeyExchangeGroup, KeyExchangeKeyPair, SignatureScheme } from '../crypto/provider.ts';
import type { TlsCertificateVerification } from './cert-verify.ts';
import type { TlsAntiReplay } from './anti-replay.ts';
import type { TlsExtension } from './messages.ts';
import type { TlsClientTicket, TlsTicketState } from './session-ticket.ts';
import type { TlsTicketProtector } from './ticket-keys.ts';
import type { TlsTicketStore } from './ticket-store.ts';

/** Encryption levels that carry handshake bytes (RFC 9001 §4.1.4; 0-RTT carries none). */
export type TlsLevel = 'initial' | 'handshake' | 'application';
/** Levels for which secrets are produced. */
export type TlsSecretLevel = 'early' | 'handshake' | 'application';

/**
 * QUIC mode is the default. 'tcp' is the one switch for TLS-over-TCP habits, used by the test
 * harness that runs the engine against node:tls: no transport parameters, ALPN optional, and a
 * client's legacy_session_id echoed instead of refused (RFC 9001 §8.4, RFC 8446 §4.1.2).
 */
export type TlsTransport = 'quic' | 'tcp';

/** A certificate chain (leaf first, DER) and its key: a PKCS#8 private key, or a signing callback. */
export interface TlsCertificateKey {
  readonly chain: readonly Uint8Array[];
  readonly privateKey?: Uint8Array;
  /** Signs CertificateVerify content; overrides `privateKey` (hardware keys, fixed test signatures). */
  readonly sign?: (scheme: SignatureScheme, data: Uint8Array) => Uint8Array;
}

export interface TlsCommonConfig {
  readonly crypto: CryptoProvider;
  /** Cipher suites in preference order (default AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305). */
  readonly cipherSuites?: readonly CipherSuite[];
  /** Key-exchange groups in preference order (default x25519, secp256r1, secp384r1). */
  readonly groups?: readonly KeyExchangeGroup[];
  /** Signature schemes in preference order (default all six). */
  readonly signatureSchemes?: readonly SignatureScheme[];
  /** ALPN protocols in preference order; QUIC requires at least one (RFC 9001 §8.1). */
  readonly alpnProtocols: readonly string[];
  /** Our encoded QUIC transport parameters (RFC 9001 §8.2); required in QUIC mode. */
  readonly transportParameters?: Uint8Array;
  readonly transport?: TlsTransport;
  /** Emit SSLKEYLOGFILE lines as `keylog` events. */
  readonly keyLog?: boolean;
  /** Wall-clock time in milliseconds since the epoch, for certificate validity (no clock is read). */
  readonly now: number;
}

/** Deterministic inputs for test vectors (RFC 8448): never set these in production. */
export interface TlsFixedInputs {
  readonly random?: Uint8Array;
  readonly sessionId?: Uint8Array;
  /** Key pairs to use instead of fresh ones, picked by group. */
  readonly keyShares?: readonly KeyExchangeKeyPair[];
  /** Server: ticket_age_add of issued NewSessionTickets. */
  readonly ticketAgeAdd?: number;
  /** Server: ticket_nonce of the first issued NewSessionTicket. */
  readonly ticketNonce?: Uint8Array;
  /**
   * Rewrites the extension block of an outgoing ClientHello or EncryptedExtensions. A client's
   * pre_shared_key is appended afterwards (it must be last, RFC 8446 §4.2.11).
   */
  readonly extensions?: (message: 'client_hello' | 'encrypted_extensions', built: readonly TlsExtension[]) => readonly TlsExtension[];
}

export interface TlsClientConfig extends TlsCommonConfig {
  /** The server's DNS name (sent as SNI) or IP literal (not sent; matched against iPAddress SANs). */
  readonly serverName?: string;
  readonly verify: TlsCertificateVerification;
  /** Groups for which the first ClientHello carries a key share (default the first group). */
  readonly keyShareGroups?: readonly KeyExchangeGroup[];
  /** A client certificate, sent when the server asks for one. */
  readonly certificate?: TlsCertificateKey;
  readonly fixed?: TlsFixedInputs;
  /** Where received tickets are stored, and where the ticket to offer comes from. */
  readonly ticketStore?: TlsTicketStore;
  /** The ticket-store key (default the server name, or '' without one). */
  readonly ticketKey?: string;
  /** A ticket to offer instead of one from the store. */
  readonly sessionTicket?: TlsClientTicket;
  /** Send 0-RTT when the offered ticket allows it (RFC 8446 §4.2.10, RFC 9001 §4.6). */
  readonly earlyData?: boolean;
}

/** What the server knows when deciding on 0-RTT for a resumed ticket. */
export interface TlsEarlyDataInfo {
  readonly state: TlsTicketState;
  /** The ALPN protocol selected on this connection. */
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** The ticket age the client reports and the one the server measures (ms). */
  readonly clientAge: number;
  readonly serverAge: number;
}

/** Session tickets on the server (RFC 8446 §4.6.1) and 0-RTT policy (§4.2.10, §8). */
export interface TlsServerTicketConfig {
  /** Seals and opens tickets; share one (e.g. a TlsTicketKeyring) across connections. */
  readonly protector: TlsTicketProtector;
  /** Lifetime of issued tickets in seconds (default 86400, at most 604800). */
  readonly lifetime?: number;
  /** NewSessionTickets sent when the handshake completes (default 1). */
  readonly count?: number;
  /** Issue 0-RTT-capable tickets and consider 0-RTT (default false). */
  readonly earlyData?: boolean;
  /** max_early_data_size over TCP (default 16384); QUIC always uses 0xffffffff (RFC 9001 §4.6.1). */
  readonly maxEarlyDataSize?: number;
  /** Opaque data sealed into issued tickets (QUIC: the transport parameters to remember, RFC 9000 §7.4.1). */
  readonly appData?: Uint8Array;
  /** 0-RTT freshness window (RFC 8446 §8.3) in ms (default 10000). */
  readonly earlyDataWindowMs?: number;
  /** Single-use ticket tracking (RFC 8446 §8.1); without one, 0-RTT is always rejected. */
  readonly antiReplay?: TlsAntiReplay;
  /** The application's decision on 0-RTT (e.g. remembered transport parameters still compatible). */
  readonly acceptEarlyData?: (info: TlsEarlyDataInfo) => boolean;
}

/** How 0-RTT went: not attempted, or the server's answer. */
export type TlsEarlyDataStatus = 'none' | 'accepted' | 'rejected';

export interface TlsServerConfig extends TlsCommonConfig {
  readonly certificate: TlsCertificateKey;
  /** Ask for a client certificate; with `required`, its absence is certificate_required. */
  readonly clientAuth?: { readonly verify: TlsCertificateVerification; readonly required: boolean };
  readonly fixed?: TlsFixedInputs;
  /** Issue and accept session tickets. */
  readonly tickets?: TlsServerTicketConfig;
}

/** Something the transport must act on. */
export type TlsEvent =
  /** New traffic secret for one direction of a level, with the negotiated cipher suite. */
  | { readonly type: 'secret'; readonly level: TlsSecretLevel; readonly direction: 'read' | 'write'; readonly suite: CipherSuite; readonly secret: Uint8Array }
  /** The peer's opaque quic_transport_parameters. */
  | { readonly type: 'transport-parameters'; readonly parameters: Uint8Array }
  | { readonly type: 'alpn'; readonly protocol: string }
  /** The peer's certificate chain (DER, leaf first), after verification. */
  | { readonly type: 'peer-certificates'; readonly chain: readonly Uint8Array[] }
  /** The handshake finished; `resumed` when a PSK from a ticket was used. */
  | { readonly type: 'handshake-complete'; readonly resumed: boolean; readonly earlyData: TlsEarlyDataStatus }
  /** Client: a NewSessionTicket arrived (already put in the ticket store, if one is configured). */
  | { readonly type: 'session-ticket'; readonly ticket: TlsClientTicket }
  /** Whether the server accepted 0-RTT (client: once known; server: once decided). */
  | { readonly type: 'early-data'; readonly accepted: boolean }
  /** One SSLKEYLOGFILE line (without newline). */
  | { readonly type: 'keylog'; readonly line: string };

/** Handshake bytes to send at one level. */
export interface TlsOutput {
  readonly level: TlsLevel;
  readonly data: Uint8Array;
}
