/**
 * Options both HTTP/3 roles share on the node runtime, and their translation into the QUIC
 * engine's configuration: ALPN h3, TLS certificate and verification, key log, transport
 * defaults suited to HTTP/3 (QUIC DATAGRAM accepted so that HTTP datagrams can be negotiated).
 * @module
 */
import type { CipherSuite, CryptoProvider, TransportConfig } from '@quicts/quic-core';
import { certificateKey, certificateVerification, keylogWriter, type CertificateOptions, type VerifyOptions } from '@quicts/quic-core/node';
import type { H3SettingsInit } from '../settings.ts';

/** The ALPN token of HTTP/3 (RFC 9114 §3.1). */
export const H3_ALPN = 'h3';

export interface H3CommonOptions {
  /** QUIC transport settings (defaults: quic-core's, with DATAGRAM frames up to 65535 bytes accepted). */
  readonly transport?: Partial<TransportConfig>;
  /** HTTP/3 SETTINGS to announce (defaults: the H3Connection's). */
  readonly settings?: H3SettingsInit;
  /** TLS cipher suites in preference order (default all three). */
  readonly cipherSuites?: readonly CipherSuite[];
  /** Append TLS secrets in NSS key log format to this file (opt-in, for debugging). */
  readonly keylogFile?: string;
  /** Write a qlog trace (JSON-SEQ, `<odcid>_<client|server>.sqlog`) per connection into this directory (opt-in). */
  readonly qlogDir?: string;
  /** Crypto provider (default: node:crypto). */
  readonly crypto?: CryptoProvider;
  /** Do not keep the process alive for the socket (default false). */
  readonly unref?: boolean;
}

export type { CertificateOptions, VerifyOptions };

export function transportOf(options: H3CommonOptions): Partial<TransportConfig> {
  return { maxDatagramFrameSize: 65535, ...options.transport };
}

export { certificateKey, certificateVerification, keylogWriter };
