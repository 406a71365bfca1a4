/**
 * Key exchange and signatures for the pure provider: @noble/curves for X25519, P-256, P-384,
 * ECDSA and Ed25519; RSA with bigint arithmetic in `rsa-pss.ts`.
 * @module
 */
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { DecodeError } from '../errors.ts';
import {
  EC_CURVE_BYTES, parsePkcs8, parseSpki, type EcCurve, type ParsedPrivateKey, type ParsedPublicKey,
} from './asym-keys.ts';
import {
  KEY_EXCHANGE_PUBLIC_LENGTH, SIGNATURE_HASH, isAllZero,
  type AsymmetricCrypto, type CertificateSignatureAlgorithm, type HashAlgorithm, type KeyExchangeGroup,
  type KeyExchangeKeyPair, type SignatureScheme,
} from './provider.ts';
import { rsaPkcs1Verify, rsaPssSign, rsaPssVerify, type RsaHash } from './rsa-pss.ts';

const hashFns = { sha256, sha384, sha512 } as const;
const rsaHash = (h: HashAlgorithm): RsaHash => ({ digest: (d) => hashFns[h](d), length: hashFns[h].outputLen });
const nist = { secp256r1: p256, secp384r1: p384 } as const;
const curveOf = { 'P-256': p256, 'P-384': p384 } as const;

/** Which key a signature algorithm needs (RFC 8446 §4.2.3). */
export function keyFitsAlgorithm(
  algorithm: SignatureScheme | CertificateSignatureAlgorithm, key: ParsedPublicKey | ParsedPrivateKey,
): boolean {
  switch (algorithm) {
    case 'ecdsa_secp256r1_sha256':
      return key.type === 'ec' && key.curve === 'P-256';
    case 'ecdsa_secp384r1_sha384':
      return key.type === 'ec' && key.curve === 'P-384';
    case 'ecdsa_sha256': case 'ecdsa_sha384': case 'ecdsa_sha512':
      return key.type === 'ec';
    case 'rsa_pss_rsae_sha256': case 'rsa_pss_rsae_sha384': case 'rsa_pss_rsae_sha512':
    case 'rsa_pkcs1_sha256': case 'rsa_pkcs1_sha384': case 'rsa_pkcs1_sha512':
      return key.type === 'rsa';
    case 'ed25519':
      return key.type === 'ed25519';
  }
}

function checkGroupKey(group: KeyExchangeGroup, privateKey: Uint8Array): void {
  const want = group === 'secp384r1' ? 48 : 32;
  if (privateKey.length !== want) throw new RangeError(`${group} private key must be ${want} bytes`);
  if (group !== 'x25519' && !nist[group].utils.isValidSecretKey(privateKey)) throw new RangeError(`invalid ${group} private key`);
}

function parseOr<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/** The asymmetric half of the pure provider; `random` supplies RSA salts and blinding. */
export function createPureAsymmetric(random: (n: number) => Uint8Array): AsymmetricCrypto {
  function fromPrivate(group: KeyExchangeGroup, privateKey: Uint8Array): KeyExchangeKeyPair {
    checkGroupKey(group, privateKey);
    const k = privateKey.slice();
    const publicKey = group === 'x25519' ? x25519.getPublicKey(k) : nist[group].getPublicKey(k, false);
    return { group, privateKey: k, publicKey };
  }
  return {
    keyExchangeGenerate(group) {
      const k = group === 'x25519' ? random(32) : nist[group].utils.randomSecretKey(random(group === 'secp384r1' ? 72 : 48));
      return fromPrivate(group, k);
    },
    keyExchangeFromPrivate: fromPrivate,
    keyExchangeSecret(group, privateKey, peer) {
      checkGroupKey(group, privateKey);
      if (peer.length !== KEY_EXCHANGE_PUBLIC_LENGTH[group]) return null;
      try {
        if (group === 'x25519') {
          const out = x25519.getSharedSecret(privateKey, peer);
          return isAllZero(out) ? null : out;
        }
        if (peer[0] !== 4) return null; // RFC 8446 §4.2.8.2: uncompressed only
        return nist[group].getSharedSecret(privateKey, peer, true).subarray(1);
      } catch {
        return null; // not on the curve, or the point at infinity
      }
    },
    sign(scheme, pkcs8, data) {
      const key = parseOr(() => parsePkcs8(pkcs8));
      if (!key || !keyFitsAlgorithm(scheme, key)) throw new TypeError(`private key does not fit ${scheme}`);
      const hash = SIGNATURE_HASH[scheme];
      switch (key.type) {
        case 'ec':
          return curveOf[key.curve].sign(hashFns[hash](data), key.d, { prehash: false, format: 'der', lowS: false });
        case 'ed25519':
          return ed25519.sign(data, key.seed);
        case 'rsa':
          return rsaPssSign(key, rsaHash(hash), data, random);
      }
    },
    verify(algorithm, spki, data, signature) {
      const key = parseOr(() => parseSpki(spki));
      if (!key || !keyFitsAlgorithm(algorithm, key)) return false;
      const hash = SIGNATURE_HASH[algorithm];
      try {
        switch (key.type) {
          case 'ec':
            return verifyEcdsa(key.curve, key.point, hashFns[hash](data), signature);
          case 'ed25519':
            return ed25519.verify(signature, data, key.key, { zip215: false });
          case 'rsa':
            return algorithm.startsWith('rsa_pkcs1_')
              ? rsaPkcs1Verify(key, rsaHash(hash), data, signature)
              : rsaPssVerify(key, rsaHash(hash), data, signature);
        }
      } catch {
        return false;
      }
    },
  };
}

function verifyEcdsa(curve: EcCurve, point: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  if (point.length !== 1 + 2 * EC_CURVE_BYTES[curve]) return false;
  return curveOf[curve].verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
}
