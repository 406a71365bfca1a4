/**
 * The pure crypto provider: @noble/ciphers, @noble/hashes and @noble/curves (RSA in bigint
 * arithmetic), no platform crypto except
 * `crypto.getRandomValues` for randomness. Slower than node:crypto but runs anywhere.
 * @module
 */
import { gcm, ecb, unsafe as aesInternals } from '@noble/ciphers/aes.js';
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { extract } from '@noble/hashes/hkdf.js';
import {
  AEAD_TAG_LENGTH, HASH_LENGTH, checkAeadKey, hkdfExpandWith,
  type AeadAlgorithm, type AeadKey, type CryptoProvider, type HashAlgorithm, type HeaderProtectionKey,
  type IncrementalHash,
} from './provider.ts';
import { createPureAsymmetric } from './pure-asymmetric.ts';

const hashes = { sha256, sha384, sha512 } as const;

function aeadKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
  checkAeadKey(algorithm, key);
  const k = key.slice();
  const make = algorithm === 'chacha20-poly1305'
    ? (nonce: Uint8Array, aad: Uint8Array) => chacha20poly1305(k, nonce, aad)
    : (nonce: Uint8Array, aad: Uint8Array) => gcm(k, nonce, aad);
  return {
    algorithm,
    seal(nonce, aad, plaintext, output) {
      const sealed = make(nonce, aad).encrypt(plaintext);
      if (!output) return sealed;
      output.set(sealed);
      return output.subarray(0, sealed.length);
    },
    open(nonce, aad, ciphertext) {
      if (ciphertext.length < AEAD_TAG_LENGTH) return null;
      try {
        return make(nonce, aad).decrypt(ciphertext);
      } catch {
        return null; // authentication failure
      }
    },
  };
}

function headerProtectionKey(algorithm: AeadAlgorithm, key: Uint8Array): HeaderProtectionKey {
  checkAeadKey(algorithm, key);
  const k = key.slice();
  if (algorithm === 'chacha20-poly1305') {
    const zeros = new Uint8Array(5);
    return {
      algorithm,
      // RFC 9001 §5.4.4: counter = sample[0..4] little-endian, nonce = sample[4..16]
      mask(sample) {
        const counter = (sample[0]! | (sample[1]! << 8) | (sample[2]! << 16) | (sample[3]! << 24)) >>> 0;
        return chacha20(k, sample.subarray(4, 16), zeros, undefined, counter);
      },
    };
  }
  // RFC 9001 §5.4.3: mask = AES-ECB(hp_key, sample). With noble's block primitive the key is
  // expanded once; noble's `ecb` wrapper refuses reuse, so it is only the fallback.
  if (typeof aesInternals?.expandKeyLE === 'function' && typeof aesInternals.encryptBlock === 'function') {
    const expanded = aesInternals.expandKeyLE(k);
    return {
      algorithm,
      mask(sample) {
        const block = sample.slice(0, 16); // fresh, aligned; encrypted in place
        return aesInternals.encryptBlock(expanded, block);
      },
    };
  }
  return {
    algorithm,
    mask: (sample) => ecb(k, { disablePadding: true }).encrypt(sample.subarray(0, 16)),
  };
}

function incremental(state: ReturnType<typeof sha256.create>): IncrementalHash {
  return {
    update(data) {
      state.update(data);
    },
    digest() {
      return state.clone().digest();
    },
    clone() {
      return incremental(state.clone());
    },
  };
}

/** Creates the pure (@noble) crypto provider. */
export function createPureCryptoProvider(): CryptoProvider {
  const randomBytes = (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    // getRandomValues fills at most 65536 bytes per call
    for (let i = 0; i < length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
    return out;
  };
  return {
    ...createPureAsymmetric(randomBytes),
    name: 'pure',
    aead: aeadKey,
    headerProtection: headerProtectionKey,
    hash: (algorithm: HashAlgorithm, data: Uint8Array) => hashes[algorithm](data),
    hashInit: (algorithm: HashAlgorithm) => incremental(hashes[algorithm].create() as ReturnType<typeof sha256.create>),
    hmac: (algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array) => hmac(hashes[algorithm], key, data),
    hkdfExtract: (algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array) => extract(hashes[algorithm], ikm, salt),
    hkdfExpand: (algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number) =>
      hkdfExpandWith((key, data) => hmac(hashes[algorithm], key, data), HASH_LENGTH[algorithm], prk, info, length),
    randomBytes,
  };
}
