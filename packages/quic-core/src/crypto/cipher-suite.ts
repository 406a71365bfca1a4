/**
 * TLS 1.3 cipher suites usable with QUIC (RFC 9001 §5.3; TLS_AES_128_CCM_8_SHA256 is excluded)
 * and the AEAD and hash each one implies.
 * @module
 */
import type { AeadAlgorithm, HashAlgorithm } from './provider.ts';

export interface CipherSuite {
  readonly id: number;
  readonly name: string;
  readonly aead: AeadAlgorithm;
  readonly hash: HashAlgorithm;
}

export const TLS_AES_128_GCM_SHA256: CipherSuite = { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', aead: 'aes-128-gcm', hash: 'sha256' };
export const TLS_AES_256_GCM_SHA384: CipherSuite = { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', aead: 'aes-256-gcm', hash: 'sha384' };
export const TLS_CHACHA20_POLY1305_SHA256: CipherSuite = {
  id: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', aead: 'chacha20-poly1305', hash: 'sha256',
};

export const CIPHER_SUITES: readonly CipherSuite[] = [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256];

export function cipherSuiteById(id: number): CipherSuite | undefined {
  return CIPHER_SUITES.find((s) => s.id === id);
}
