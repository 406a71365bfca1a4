/**
 * The synchronous crypto interface the whole stack uses. Two implementations exist: the default
 * one over `node:crypto` (present in Node, Bun and Deno; hardware AES) in `node/crypto-provider.ts`,
 * and a pure one over @noble in `crypto/pure-provider.ts`. Everything is synchronous: the engine
 * never awaits (STYLE lesson 3), which rules out WebCrypto.
 * @module
 */

export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** Key length in bytes of each AEAD (RFC 9001 §5.3 uses the TLS cipher suite's AEAD). */
export const AEAD_KEY_LENGTH: Readonly<Record<AeadAlgorithm, number>> = {
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};
/** All three AEADs have a 16-byte tag and a 12-byte nonce. */
export const AEAD_TAG_LENGTH = 16;
export const AEAD_NONCE_LENGTH = 12;

/** Digest length in bytes of each hash. */
export const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** A prepared AEAD key. */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  /**
   * Encrypts `plaintext` and appends the 16-byte tag. With `output` (length >= plaintext + 16),
   * the result is written there and a view of it returned.
   */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output?: Uint8Array): Uint8Array;
  /** Decrypts and authenticates `ciphertext` (which ends with the tag); null if it fails. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
}

/** A prepared header-protection key (RFC 9001 §5.4). */
export interface HeaderProtectionKey {
  readonly algorithm: AeadAlgorithm;
  /** The 5-byte mask for a 16-byte sample (RFC 9001 §5.4.3, §5.4.4). */
  mask(sample: Uint8Array): Uint8Array;
}

/** A running hash whose digest can be read at any point (for TLS transcripts). */
export interface IncrementalHash {
  update(data: Uint8Array): void;
  /** Digest of everything absorbed so far; absorbing can continue afterwards. */
  digest(): Uint8Array;
  /** An independent copy of the current state. */
  clone(): IncrementalHash;
}

export interface SymmetricCrypto {
  /** Short name for logs and test titles ("node", "pure"). */
  readonly name: string;
  aead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey;
  headerProtection(algorithm: AeadAlgorithm, key: Uint8Array): HeaderProtectionKey;
  hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array;
  hashInit(algorithm: HashAlgorithm): IncrementalHash;
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-Extract (RFC 5869 §2.2). */
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** HKDF-Expand (RFC 5869 §2.3). */
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
}

/** TLS 1.3 key-exchange groups (RFC 8446 §4.2.7) the providers implement. */
export type KeyExchangeGroup = 'x25519' | 'secp256r1' | 'secp384r1';

/**
 * An ECDHE key pair. `privateKey` is the raw scalar (32 bytes for x25519 and secp256r1, 48 for
 * secp384r1); `publicKey` is in the TLS key_share encoding (RFC 8446 §4.2.8.2): the 32-byte
 * u-coordinate for x25519, the uncompressed point 0x04 || X || Y for the NIST curves.
 */
export interface KeyExchangeKeyPair {
  readonly group: KeyExchangeGroup;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Length in bytes of a key_share public key per group (RFC 8446 §4.2.8.2). */
export const KEY_EXCHANGE_PUBLIC_LENGTH: Readonly<Record<KeyExchangeGroup, number>> = { x25519: 32, secp256r1: 65, secp384r1: 97 };

/** TLS 1.3 signature schemes (RFC 8446 §4.2.3) usable in CertificateVerify. */
export type SignatureScheme =
  | 'ecdsa_secp256r1_sha256' | 'ecdsa_secp384r1_sha384'
  | 'rsa_pss_rsae_sha256' | 'rsa_pss_rsae_sha384' | 'rsa_pss_rsae_sha512'
  | 'ed25519';

/**
 * Further algorithms only for verifying certificate signatures (RFC 8446 §4.2.3 allows PKCS#1
 * v1.5 there). `ecdsa_sha*` accept a P-256 or P-384 key with the named hash.
 */
export type CertificateSignatureAlgorithm =
  | 'rsa_pkcs1_sha256' | 'rsa_pkcs1_sha384' | 'rsa_pkcs1_sha512'
  | 'ecdsa_sha256' | 'ecdsa_sha384' | 'ecdsa_sha512';

/** Key exchange and signatures, synchronous like the rest. */
export interface AsymmetricCrypto {
  /** A fresh ECDHE key pair. */
  keyExchangeGenerate(group: KeyExchangeGroup): KeyExchangeKeyPair;
  /** The key pair for a given private key (fixed keys for test vectors). RangeError if invalid. */
  keyExchangeFromPrivate(group: KeyExchangeGroup, privateKey: Uint8Array): KeyExchangeKeyPair;
  /**
   * The ECDHE shared secret (RFC 8446 §7.4: the x25519 output, or the x-coordinate for the NIST
   * curves), or null when the peer's public key is invalid: wrong length, compressed or not on
   * the curve (RFC 8446 §4.2.8.2), or an all-zero x25519 result (RFC 8446 §7.4.2).
   */
  keyExchangeSecret(group: KeyExchangeGroup, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | null;
  /**
   * Signs `data` with a PKCS#8 DER private key (ECDSA signatures are DER-encoded, RFC 8446
   * §4.2.3). TypeError when the key does not match the scheme.
   */
  sign(scheme: SignatureScheme, privateKeyPkcs8: Uint8Array, data: Uint8Array): Uint8Array;
  /** Verifies a signature with an SPKI DER public key; false on any mismatch or malformed input. */
  verify(
    algorithm: SignatureScheme | CertificateSignatureAlgorithm, publicKeySpki: Uint8Array, data: Uint8Array, signature: Uint8Array,
  ): boolean;
}

/** The crypto provider: symmetric primitives, key exchange and signatures. */
export interface CryptoProvider extends SymmetricCrypto, AsymmetricCrypto {}

/** The hash each signature algorithm uses (ed25519 hashes internally; reported as sha512). */
export const SIGNATURE_HASH: Readonly<Record<SignatureScheme | CertificateSignatureAlgorithm, HashAlgorithm>> = {
  ecdsa_secp256r1_sha256: 'sha256',
  ecdsa_secp384r1_sha384: 'sha384',
  rsa_pss_rsae_sha256: 'sha256',
  rsa_pss_rsae_sha384: 'sha384',
  rsa_pss_rsae_sha512: 'sha512',
  ed25519: 'sha512',
  rsa_pkcs1_sha256: 'sha256',
  rsa_pkcs1_sha384: 'sha384',
  rsa_pkcs1_sha512: 'sha512',
  ecdsa_sha256: 'sha256',
  ecdsa_sha384: 'sha384',
  ecdsa_sha512: 'sha512',
};

/** True when an x25519 output is all zeros (RFC 8446 §7.4.2: abort). */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

/** Throws RangeError unless `key` has the AEAD's key length. */
export function checkAeadKey(algorithm: AeadAlgorithm, key: Uint8Array): void {
  const want = AEAD_KEY_LENGTH[algorithm];
  if (want === undefined) throw new TypeError(`unknown AEAD ${String(algorithm)}`);
  if (key.length !== want) throw new RangeError(`${algorithm} key must be ${want} bytes, got ${key.length}`);
}

/** HKDF-Expand built from an HMAC function (shared by both providers). RFC 5869 §2.3. */
export function hkdfExpandWith(
  hmac: (key: Uint8Array, data: Uint8Array) => Uint8Array,
  hashLength: number,
  prk: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  if (length > 255 * hashLength) throw new RangeError('HKDF-Expand length too large');
  const out = new Uint8Array(length);
  const block = new Uint8Array(hashLength + info.length + 1);
  let previous: Uint8Array = new Uint8Array(0);
  let filled = 0;
  for (let i = 1; filled < length; i++) {
    block.set(previous, 0);
    block.set(info, previous.length);
    block[previous.length + info.length] = i;
    previous = hmac(prk, block.subarray(0, previous.length + info.length + 1));
    const take = Math.min(hashLength, length - filled);
    out.set(previous.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
