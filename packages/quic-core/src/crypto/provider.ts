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

/** The crypto provider: symmetric primitives (and, with TLS, key exchange and signatures). */
export interface CryptoProvider extends SymmetricCrypto {}

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
