/**
 * The default crypto provider over `node:crypto` (available in Node, Bun and Deno). Each
 * primitive is probed once; where a runtime lacks one (some runtimes have no ChaCha20 in their
 * node:crypto layer), that primitive falls back to the pure @noble implementation.
 * @module
 */
import {
  constants, createCipheriv as createAnyCipheriv, createDecipheriv as createAnyDecipheriv, createECDH, createHash, createHmac,
  createPrivateKey, createPublicKey, createSecretKey, diffieHellman, generateKeyPairSync, randomFillSync, sign as nodeSign, verify as nodeVerify,
  type CipherGCM, type DecipherGCM, type Hash, type KeyObject,
} from 'node:crypto';
import {
  AEAD_TAG_LENGTH, HASH_LENGTH, checkAeadKey, hkdfExpandWith,
  type AeadAlgorithm, type AeadKey, type CryptoProvider, type HashAlgorithm, type HeaderProtectionKey,
  KEY_EXCHANGE_PUBLIC_LENGTH, SIGNATURE_HASH, isAllZero,
  type AsymmetricCrypto, type CertificateSignatureAlgorithm, type IncrementalHash, type KeyExchangeGroup,
  type KeyExchangeKeyPair, type SignatureScheme,
} from '../crypto/provider.ts';
import { Buffer } from 'node:buffer';
import { encodeOkpPkcs8, encodeOkpSpki } from '../crypto/asym-keys.ts';
import { createPureCryptoProvider } from '../crypto/pure-provider.ts';

const pure = createPureCryptoProvider();

// The AEAD ciphers (GCM and ChaCha20-Poly1305) share the GCM-style interface.
type AeadCipherName = AeadAlgorithm;
const createCipheriv = (name: AeadCipherName, key: Uint8Array | KeyObject, iv: Uint8Array, options: unknown): CipherGCM =>
  createAnyCipheriv(name as 'aes-128-gcm', key, iv, options as never) as CipherGCM;
const createDecipheriv = (name: AeadCipherName, key: Uint8Array | KeyObject, iv: Uint8Array, options: unknown): DecipherGCM =>
  createAnyDecipheriv(name as 'aes-128-gcm', key, iv, options as never) as DecipherGCM;

const EMPTY = new Uint8Array(0);

function probe(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

const supported = new Map<string, boolean>();
function supports(feature: string, fn: () => void): boolean {
  let ok = supported.get(feature);
  if (ok === undefined) {
    ok = probe(fn);
    supported.set(feature, ok);
  }
  return ok;
}

function aeadSupported(algorithm: AeadAlgorithm): boolean {
  return supports(`aead:${algorithm}`, () => {
    const key = new Uint8Array(algorithm === 'aes-128-gcm' ? 16 : 32);
    const nonce = new Uint8Array(12);
    const c = createCipheriv(algorithm, key, nonce, { authTagLength: 16 });
    c.setAAD(EMPTY);
    const ct = c.update(new Uint8Array(3));
    c.final();
    const tag = c.getAuthTag();
    const d = createDecipheriv(algorithm, key, nonce, { authTagLength: 16 });
    d.setAAD(EMPTY);
    d.setAuthTag(tag);
    d.update(ct);
    d.final();
  });
}

function aeadKey(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
  checkAeadKey(algorithm, key);
  if (!aeadSupported(algorithm)) return pure.aead(algorithm, key);
  const secret: KeyObject = createSecretKey(key);
  const options = { authTagLength: AEAD_TAG_LENGTH } as never;
  return {
    algorithm,
    seal(nonce, aad, plaintext, output) {
      const cipher = createCipheriv(algorithm, secret, nonce, options);
      cipher.setAAD(aad, { plaintextLength: plaintext.length });
      const body = cipher.update(plaintext);
      cipher.final();
      const tag = cipher.getAuthTag();
      const out = output ?? new Uint8Array(plaintext.length + AEAD_TAG_LENGTH);
      out.set(body, 0);
      out.set(tag, body.length);
      return output ? out.subarray(0, body.length + tag.length) : out;
    },
    open(nonce, aad, ciphertext) {
      if (ciphertext.length < AEAD_TAG_LENGTH) return null;
      const split = ciphertext.length - AEAD_TAG_LENGTH;
      try {
        const decipher = createDecipheriv(algorithm, secret, nonce, options);
        decipher.setAAD(aad, { plaintextLength: split });
        decipher.setAuthTag(ciphertext.subarray(split));
        const body = decipher.update(ciphertext.subarray(0, split));
        decipher.final();
        return new Uint8Array(body.buffer, body.byteOffset, body.length);
      } catch {
        return null; // authentication failure
      }
    },
  };
}

function headerProtectionKey(algorithm: AeadAlgorithm, key: Uint8Array): HeaderProtectionKey {
  checkAeadKey(algorithm, key);
  if (algorithm === 'chacha20-poly1305') {
    const ok = supports('chacha20', () => createAnyCipheriv('chacha20', new Uint8Array(32), new Uint8Array(16)).update(new Uint8Array(5)));
    if (!ok) return pure.headerProtection(algorithm, key);
    const secret = createSecretKey(key);
    const zeros = new Uint8Array(5);
    return {
      algorithm,
      // RFC 9001 §5.4.4. OpenSSL's 16-byte ChaCha20 IV is the 32-bit little-endian block counter
      // followed by the 96-bit nonce, which is exactly the layout of the sample.
      mask(sample) {
        const c = createAnyCipheriv('chacha20', secret, sample.subarray(0, 16));
        return c.update(zeros);
      },
    };
  }
  const cipherName = algorithm === 'aes-128-gcm' ? 'aes-128-ecb' : 'aes-256-ecb';
  const ok = supports(cipherName, () => {
    const c = createAnyCipheriv(cipherName, new Uint8Array(algorithm === 'aes-128-gcm' ? 16 : 32), null);
    c.setAutoPadding(false);
    c.update(new Uint8Array(16));
  });
  if (!ok) return pure.headerProtection(algorithm, key);
  // One ECB cipher object is reused for every packet: ECB is stateless between blocks and
  // `final` is never called, so each `update` of one block returns that block's encryption.
  const cipher = createAnyCipheriv(cipherName, createSecretKey(key), null);
  cipher.setAutoPadding(false);
  return {
    algorithm,
    mask: (sample) => cipher.update(sample.subarray(0, 16)),
  };
}

function incremental(state: Hash): IncrementalHash {
  return {
    update(data) {
      state.update(data);
    },
    digest() {
      return new Uint8Array(state.copy().digest());
    },
    clone() {
      return incremental(state.copy());
    },
  };
}

function hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(algorithm, key).update(data).digest());
}

const NIST_CURVE = { secp256r1: 'prime256v1', secp384r1: 'secp384r1' } as const;
const NODE_CURVE: Record<string, string> = { ecdsa_secp256r1_sha256: 'prime256v1', ecdsa_secp384r1_sha384: 'secp384r1' };

/** Whether a node KeyObject is the kind of key a signature algorithm needs (RFC 8446 §4.2.3). */
function keyFits(algorithm: SignatureScheme | CertificateSignatureAlgorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (algorithm === 'ed25519') return type === 'ed25519';
  if (algorithm.startsWith('rsa_')) return type === 'rsa';
  if (type !== 'ec') return false;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const want = NODE_CURVE[algorithm];
  return want ? curve === want : curve === 'prime256v1' || curve === 'secp384r1';
}

function signOptions(algorithm: SignatureScheme | CertificateSignatureAlgorithm, key: KeyObject) {
  if (algorithm.startsWith('rsa_pss_')) {
    // RFC 8446 §4.2.3: the salt length equals the digest length
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  }
  if (algorithm.startsWith('rsa_pkcs1_')) return { key, padding: constants.RSA_PKCS1_PADDING };
  if (algorithm === 'ed25519') return key;
  return { key, dsaEncoding: 'der' as const };
}

function padLeft(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return new Uint8Array(bytes);
  const out = new Uint8Array(length);
  out.set(bytes.subarray(Math.max(0, bytes.length - length)), Math.max(0, length - bytes.length));
  return out;
}

const fromBase64Url = (text: string | undefined): Uint8Array => new Uint8Array(Buffer.from(text ?? '', 'base64url'));
const toBase64Url = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/**
 * Key objects already made for raw keys the provider handed out or was given (an X25519 share's
 * private key, a server's PKCS#8 signing key), keyed by the very byte array: importing a key
 * costs far more than using it (DER import of an X25519 key ~75 us, JWK ~5 us, use ~30 us).
 */
const x25519Keys = new WeakMap<Uint8Array, KeyObject>();
const signingKeys = new WeakMap<Uint8Array, KeyObject>();

/** Verification keys by SPKI (a client meets the same server certificates again); bounded. */
const verifyKeys = new Map<string, KeyObject>();
const VERIFY_KEY_CACHE = 64;

function verifyKey(spki: Uint8Array): KeyObject {
  const id = toBase64Url(spki);
  let key = verifyKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: spki as never, format: 'der', type: 'spki' });
    if (verifyKeys.size >= VERIFY_KEY_CACHE) verifyKeys.clear();
    verifyKeys.set(id, key);
  }
  return key;
}

/** The peer's X25519 public key: JWK import (DER import is an order of magnitude slower). */
function x25519Public(peer: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64Url(peer) }, format: 'jwk' });
  } catch {
    return createPublicKey({ key: encodeOkpSpki(peer, true) as never, format: 'der', type: 'spki' });
  }
}

function x25519Private(privateKey: Uint8Array): KeyObject {
  return x25519Keys.get(privateKey) ?? createPrivateKey({ key: encodeOkpPkcs8(privateKey, true) as never, format: 'der', type: 'pkcs8' });
}

/** A fresh X25519 pair from node:crypto, raw bytes by JWK export; its key object is remembered. */
function x25519Generate(): KeyExchangeKeyPair | undefined {
  try {
    const pair = generateKeyPairSync('x25519');
    const jwk = pair.privateKey.export({ format: 'jwk' });
    const privateKey = fromBase64Url(jwk.d);
    const publicKey = fromBase64Url(jwk.x);
    if (privateKey.length !== 32 || publicKey.length !== 32) return undefined;
    x25519Keys.set(privateKey, pair.privateKey);
    return { group: 'x25519', privateKey, publicKey };
  } catch {
    return undefined;
  }
}

function asymmetric(): AsymmetricCrypto {
  function fromPrivate(group: KeyExchangeGroup, privateKey: Uint8Array): KeyExchangeKeyPair {
    const want = group === 'secp384r1' ? 48 : 32;
    if (privateKey.length !== want) throw new RangeError(`${group} private key must be ${want} bytes`);
    try {
      if (group === 'x25519') {
        const key = createPrivateKey({ key: encodeOkpPkcs8(privateKey, true) as never, format: 'der', type: 'pkcs8' });
        const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
        const own = privateKey.slice();
        x25519Keys.set(own, key);
        return { group, privateKey: own, publicKey: new Uint8Array(spki.subarray(spki.length - 32)) };
      }
      const ecdh = createECDH(NIST_CURVE[group]);
      ecdh.setPrivateKey(privateKey);
      return { group, privateKey: privateKey.slice(), publicKey: new Uint8Array(ecdh.getPublicKey()) };
    } catch {
      return pure.keyExchangeFromPrivate(group, privateKey); // throws RangeError for an invalid key
    }
  }
  return {
    keyExchangeGenerate(group) {
      if (group === 'x25519') return x25519Generate() ?? fromPrivate(group, randomBytes(32));
      try {
        const ecdh = createECDH(NIST_CURVE[group]);
        ecdh.generateKeys();
        const size = group === 'secp384r1' ? 48 : 32;
        return { group, privateKey: padLeft(ecdh.getPrivateKey(), size), publicKey: new Uint8Array(ecdh.getPublicKey()) };
      } catch {
        return pure.keyExchangeGenerate(group);
      }
    },
    keyExchangeFromPrivate: fromPrivate,
    keyExchangeSecret(group, privateKey, peer) {
      if (peer.length !== KEY_EXCHANGE_PUBLIC_LENGTH[group]) return null;
      if (group !== 'x25519' && peer[0] !== 4) return null; // RFC 8446 §4.2.8.2: uncompressed only
      try {
        let out: Uint8Array;
        if (group === 'x25519') {
          out = new Uint8Array(diffieHellman({ privateKey: x25519Private(privateKey), publicKey: x25519Public(peer) }));
        } else {
          const ecdh = createECDH(NIST_CURVE[group]);
          ecdh.setPrivateKey(privateKey);
          out = new Uint8Array(ecdh.computeSecret(peer));
        }
        return isAllZero(out) ? null : out; // RFC 8446 §7.4.2
      } catch {
        // Invalid points make node:crypto throw; so does a runtime without the group. The pure
        // implementation answers both cases (null for an invalid point).
        return pure.keyExchangeSecret(group, privateKey, peer);
      }
    },
    sign(scheme, pkcs8, data) {
      let key = signingKeys.get(pkcs8);
      if (!key) {
        try {
          key = createPrivateKey({ key: pkcs8 as never, format: 'der', type: 'pkcs8' });
        } catch {
          return pure.sign(scheme, pkcs8, data);
        }
        signingKeys.set(pkcs8, key);
      }
      if (!keyFits(scheme, key)) throw new TypeError(`private key does not fit ${scheme}`);
      try {
        const hash = scheme === 'ed25519' ? null : SIGNATURE_HASH[scheme];
        return new Uint8Array(nodeSign(hash, data, signOptions(scheme, key) as never));
      } catch {
        return pure.sign(scheme, pkcs8, data);
      }
    },
    verify(algorithm, spki, data, signature) {
      try {
        const key = verifyKey(spki);
        if (!keyFits(algorithm, key)) return false;
        // RFC 8017 §8.1.2 step 1: an RSA signature is exactly as long as the modulus. OpenSSL
        // accepts shorter ones (left-padding them), so a signature with its leading zero byte cut
        // off would otherwise verify.
        const modulusBits = key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss' ? key.asymmetricKeyDetails?.modulusLength : undefined;
        if (modulusBits !== undefined && signature.length !== Math.ceil(modulusBits / 8)) return false;
        const hash = algorithm === 'ed25519' ? null : SIGNATURE_HASH[algorithm];
        return nodeVerify(hash, data, signOptions(algorithm, key) as never, signature);
      } catch {
        return pure.verify(algorithm, spki, data, signature);
      }
    },
  };
}

/** Random bytes are drawn from a pool refilled 4 KiB at a time (one call per small request costs more than the bytes). */
const RANDOM_POOL = 4096;
const randomPool = new Uint8Array(RANDOM_POOL);
let randomUsed = RANDOM_POOL;

function randomBytes(length: number): Uint8Array {
  if (length > RANDOM_POOL / 4) {
    const out = new Uint8Array(length);
    randomFillSync(out);
    return out;
  }
  if (randomUsed + length > RANDOM_POOL) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  const out = randomPool.slice(randomUsed, randomUsed + length);
  // Bytes handed out are never handed out again.
  randomPool.fill(0, randomUsed, randomUsed + length);
  randomUsed += length;
  return out;
}

/** Creates the node:crypto provider. */
export function createNodeCryptoProvider(): CryptoProvider {
  return {
    ...asymmetric(),
    name: 'node',
    aead: aeadKey,
    headerProtection: headerProtectionKey,
    hash: (algorithm, data) => new Uint8Array(createHash(algorithm).update(data).digest()),
    hashInit: (algorithm) => incremental(createHash(algorithm)),
    hmac,
    // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt means HashLen zeros.
    hkdfExtract: (algorithm, salt, ikm) => hmac(algorithm, salt.length ? salt : new Uint8Array(HASH_LENGTH[algorithm]), ikm),
    hkdfExpand: (algorithm, prk, info, length) =>
      hkdfExpandWith((k, d) => hmac(algorithm, k, d), HASH_LENGTH[algorithm], prk, info, length),
    randomBytes,
  };
}
