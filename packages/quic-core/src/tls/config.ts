/**
 * Configuration and events of the TLS 1.3 handshake engine for QUIC (RFC 9001 §4).
 * @module
 */
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import type { CryptoProvider, KeyExchangeGroup, KeyExchangeKeyPair, SignatureScheme } from '../crypto/provider.ts';
import type { TlsCertificateVerification } from './cert-verify.ts';
import type { TlsExtension } from './messages.ts';

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
  /** Rewrites the extension block of an outgoing ClientHello or EncryptedExtensions. */
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
}

export interface TlsServerConfig extends TlsCommonConfig {
  readonly certificate: TlsCertificateKey;
  /** Ask for a client certificate; with `required`, its absence is certificate_required. */
  readonly clientAuth?: { readonly verify: TlsCertificateVerification; readonly required: boolean };
  readonly fixed?: TlsFixedInputs;
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
  | { readonly type: 'handshake-complete' }
  /** One SSLKEYLOGFILE line (without newline). */
  | { readonly type: 'keylog'; readonly line: string };

/** Handshake bytes to send at one level. */
export interface TlsOutput {
  readonly level: TlsLevel;
  readonly data: Uint8Array;
}
