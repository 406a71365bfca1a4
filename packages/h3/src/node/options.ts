/**
 * Options both HTTP/3 roles share on the node runtime, and their translation into the QUIC
 * engine's configuration: ALPN h3, TLS certificate and verification, key log, transport
 * defaults suited to HTTP/3 (QUIC DATAGRAM accepted so that HTTP datagrams can be negotiated).
 * @module
 */
import { createPrivateKey } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import * as tls from 'node:tls';
import {
  pemToDerList, type CipherSuite, type CryptoProvider, type TlsCertificateKey, type TlsCertificateVerification,
  type TransportConfig,
} from '@quicts/quic-core';
import type { CertificateOptions, VerifyOptions } from '@quicts/quic-core/node';
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

export function certificateKey(options: CertificateOptions): TlsCertificateKey {
  const chain = typeof options.cert === 'string' ? pemToDerList(options.cert) : [options.cert];
  if (chain.length === 0) throw new TypeError('no CERTIFICATE block in the certificate PEM');
  const privateKey = typeof options.key === 'string'
    ? new Uint8Array(createPrivateKey(options.key).export({ format: 'der', type: 'pkcs8' }))
    : options.key;
  return { chain, privateKey };
}

export function certificateVerification(verify: VerifyOptions | undefined): TlsCertificateVerification {
  if (verify === undefined) return { mode: 'chain', trustAnchors: [...tls.rootCertificates] };
  if ('insecure' in verify) return { mode: 'insecure-accept-any' };
  if ('serverCertificateHashes' in verify) return { mode: 'server-certificate-hashes', hashes: verify.serverCertificateHashes };
  const ca = verify.ca;
  return { mode: 'chain', trustAnchors: typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca] };
}

/** An SSLKEYLOGFILE writer, or undefined when logging is off. */
export function keylogWriter(file: string | undefined): ((lines: string[]) => void) | undefined {
  if (!file) return undefined;
  return (lines) => {
    try {
      appendFileSync(file, lines.map((l) => l + '\n').join(''));
    } catch {
      // Key logging is a debugging aid: failing to write must not break the connection.
    }
  };
}
