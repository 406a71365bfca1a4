/**
 * QUIC packet-protection keys derived from a TLS secret (RFC 9001 §5.1), Initial secrets
 * (RFC 9001 §5.2, RFC 9369 §3.3.1) and key-update secrets (RFC 9001 §6.1).
 * @module
 */
import { AEAD_KEY_LENGTH, type AeadKey, type HashAlgorithm, type HeaderProtectionKey, type SymmetricCrypto } from './provider.ts';
import { hkdfExpandLabel, EMPTY_CONTEXT } from './hkdf-label.ts';
import { TLS_AES_128_GCM_SHA256, type CipherSuite } from './cipher-suite.ts';
import { versionConstants } from '../packet/version.ts';

/** Raw key material for one direction at one encryption level. */
export interface PacketKeyMaterial {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly hp: Uint8Array;
}

/** Prepared keys for one direction: AEAD + IV for payloads, HP key for headers. */
export interface PacketProtectionKeys {
  readonly suite: CipherSuite;
  readonly aead: AeadKey;
  readonly iv: Uint8Array;
  readonly hp: HeaderProtectionKey;
}

/** "quic key" / "quic iv" / "quic hp" (or "quicv2 ..." for v2) material from a secret. */
export function derivePacketKeyMaterial(
  crypto: SymmetricCrypto, suite: CipherSuite, secret: Uint8Array, version: number,
): PacketKeyMaterial {
  const prefix = versionConstants(version).labelPrefix;
  const keyLength = AEAD_KEY_LENGTH[suite.aead];
  return {
    key: hkdfExpandLabel(crypto, suite.hash, secret, `${prefix} key`, EMPTY_CONTEXT, keyLength),
    iv: hkdfExpandLabel(crypto, suite.hash, secret, `${prefix} iv`, EMPTY_CONTEXT, 12),
    hp: hkdfExpandLabel(crypto, suite.hash, secret, `${prefix} hp`, EMPTY_CONTEXT, keyLength),
  };
}

/** Prepares packet keys from material. */
export function preparePacketKeys(crypto: SymmetricCrypto, suite: CipherSuite, material: PacketKeyMaterial): PacketProtectionKeys {
  return {
    suite,
    aead: crypto.aead(suite.aead, material.key),
    iv: material.iv,
    hp: crypto.headerProtection(suite.aead, material.hp),
  };
}

/** Derives and prepares packet keys from a traffic secret. */
export function packetKeysFromSecret(crypto: SymmetricCrypto, suite: CipherSuite, secret: Uint8Array, version: number): PacketProtectionKeys {
  return preparePacketKeys(crypto, suite, derivePacketKeyMaterial(crypto, suite, secret, version));
}

export interface InitialSecrets {
  readonly initialSecret: Uint8Array;
  readonly client: Uint8Array;
  readonly server: Uint8Array;
}

/** RFC 9001 §5.2: initial_secret = HKDF-Extract(initial_salt, client_dst_connection_id). */
export function deriveInitialSecrets(crypto: SymmetricCrypto, version: number, clientDcid: Uint8Array): InitialSecrets {
  const hash: HashAlgorithm = 'sha256';
  const initialSecret = crypto.hkdfExtract(hash, versionConstants(version).initialSalt, clientDcid);
  return {
    initialSecret,
    client: hkdfExpandLabel(crypto, hash, initialSecret, 'client in', EMPTY_CONTEXT, 32),
    server: hkdfExpandLabel(crypto, hash, initialSecret, 'server in', EMPTY_CONTEXT, 32),
  };
}

/** Initial keys for both directions (always TLS_AES_128_GCM_SHA256, RFC 9001 §5.2). */
export function deriveInitialKeys(
  crypto: SymmetricCrypto, version: number, clientDcid: Uint8Array,
): { client: PacketProtectionKeys; server: PacketProtectionKeys } {
  const secrets = deriveInitialSecrets(crypto, version, clientDcid);
  return {
    client: packetKeysFromSecret(crypto, TLS_AES_128_GCM_SHA256, secrets.client, version),
    server: packetKeysFromSecret(crypto, TLS_AES_128_GCM_SHA256, secrets.server, version),
  };
}

/**
 * RFC 9001 §6.1: the next generation's secret, "quic ku" ("quicv2 ku" for v2). The header
 * protection key is not updated (§6.1), so callers keep the old HP key.
 */
export function nextKeyUpdateSecret(crypto: SymmetricCrypto, hash: HashAlgorithm, secret: Uint8Array, version: number): Uint8Array {
  const prefix = versionConstants(version).labelPrefix;
  return hkdfExpandLabel(crypto, hash, secret, `${prefix} ku`, EMPTY_CONTEXT, secret.length);
}

/**
 * Keys for the next key phase: a new AEAD key and IV from the updated secret, the same header
 * protection key (RFC 9001 §6.1).
 */
export function nextPhaseKeys(
  crypto: SymmetricCrypto, current: PacketProtectionKeys, currentSecret: Uint8Array, version: number,
): { secret: Uint8Array; keys: PacketProtectionKeys } {
  const secret = nextKeyUpdateSecret(crypto, current.suite.hash, currentSecret, version);
  const material = derivePacketKeyMaterial(crypto, current.suite, secret, version);
  return { secret, keys: { suite: current.suite, aead: crypto.aead(current.suite.aead, material.key), iv: material.iv, hp: current.hp } };
}
