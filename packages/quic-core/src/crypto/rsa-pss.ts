/**
 * RSA signatures with bigint arithmetic, for the pure provider: RSASSA-PSS with MGF1
 * (RFC 8017 §8.1, §9.1, Appendix B.2.1), salt length = digest length as TLS 1.3 requires
 * (RFC 8446 §4.2.3), and RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) for certificate
 * signatures. Private-key operations use CRT with blinding; bigint arithmetic is not
 * constant-time, so the node:crypto provider is preferred where available.
 * @module
 */
import { bigintToBytes, bytesToBigint } from './der.ts';

export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
}

export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qinv: bigint;
}

/** A hash function and its output length. */
export interface RsaHash {
  readonly digest: (data: Uint8Array) => Uint8Array;
  readonly length: number;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return oldR === 1n ? ((oldS % m) + m) % m : undefined;
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** Modulus length in bytes. */
export function rsaModulusBytes(key: RsaPublicKey): number {
  return Math.ceil(bitLength(key.n) / 8);
}

/** MGF1 (RFC 8017 Appendix B.2.1). */
export function mgf1(hash: RsaHash, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const block = new Uint8Array(seed.length + 4);
  block.set(seed);
  for (let counter = 0, filled = 0; filled < length; counter++) {
    block[seed.length] = counter >>> 24;
    block[seed.length + 1] = (counter >>> 16) & 0xff;
    block[seed.length + 2] = (counter >>> 8) & 0xff;
    block[seed.length + 3] = counter & 0xff;
    const h = hash.digest(block);
    const take = Math.min(h.length, length - filled);
    out.set(h.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/** RSAVP1 (RFC 8017 §5.2.2): s^e mod n, or undefined when s is out of range. */
function rsavp1(key: RsaPublicKey, s: bigint): bigint | undefined {
  if (s >= key.n) return undefined;
  return modPow(s, key.e, key.n);
}

/** RSASP1 (RFC 8017 §5.1.2) with CRT and multiplicative blinding. */
function rsasp1(key: RsaPrivateKey, m: bigint, random: (n: number) => Uint8Array): bigint {
  const k = rsaModulusBytes(key);
  let r = 0n;
  let rInv: bigint | undefined;
  while (rInv === undefined) {
    r = bytesToBigint(random(k)) % key.n;
    if (r > 1n) rInv = modInverse(r, key.n);
  }
  const blinded = (m * modPow(r, key.e, key.n)) % key.n;
  const s1 = modPow(blinded % key.p, key.dp, key.p);
  const s2 = modPow(blinded % key.q, key.dq, key.q);
  const h = (((s1 - s2) * key.qinv) % key.p + key.p) % key.p;
  const s = (s2 + key.q * h) % key.n;
  return (s * rInv) % key.n;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with the salt given. */
export function emsaPssEncode(hash: RsaHash, message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const hLen = hash.length;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) throw new RangeError('RSA key too small for PSS with this hash');
  const mHash = hash.digest(message);
  const mPrime = new Uint8Array(8 + hLen + salt.length);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + hLen);
  const h = hash.digest(mPrime);
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - salt.length - hLen - 2] = 0x01;
  db.set(salt, emLen - salt.length - hLen - 1);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >>> (8 * emLen - emBits);
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(h, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen fixed. */
export function emsaPssVerify(hash: RsaHash, message: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const hLen = hash.length;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = (0xff << (8 - (8 * emLen - emBits))) & 0xff;
  if (maskedDb[0]! & topMask) return false;
  const mask = mgf1(hash, h, maskedDb.length);
  const db = maskedDb.map((b, i) => b ^ mask[i]!);
  db[0]! &= 0xff >>> (8 * emLen - emBits);
  const psEnd = emLen - hLen - sLen - 2;
  for (let i = 0; i < psEnd; i++) if (db[i] !== 0) return false;
  if (db[psEnd] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  const mPrime = new Uint8Array(8 + hLen + sLen);
  mPrime.set(hash.digest(message), 8);
  mPrime.set(salt, 8 + hLen);
  const h2 = hash.digest(mPrime);
  let diff = 0;
  for (let i = 0; i < hLen; i++) diff |= h2[i]! ^ h[i]!;
  return diff === 0;
}

/** RSASSA-PSS-SIGN (RFC 8017 §8.1.1), salt length = hash length. */
export function rsaPssSign(key: RsaPrivateKey, hash: RsaHash, message: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  const modBits = bitLength(key.n);
  const em = emsaPssEncode(hash, message, modBits - 1, random(hash.length));
  const s = rsasp1(key, bytesToBigint(em), random);
  // Fault check: a wrong CRT result must never leave the process (it would reveal a factor).
  if (rsavp1(key, s) !== bytesToBigint(em)) throw new Error('RSA signature self-check failed');
  return bigintToBytes(s, rsaModulusBytes(key));
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2), salt length = hash length. */
export function rsaPssVerify(key: RsaPublicKey, hash: RsaHash, message: Uint8Array, signature: Uint8Array): boolean {
  const k = rsaModulusBytes(key);
  if (signature.length !== k) return false;
  const m = rsavp1(key, bytesToBigint(signature));
  if (m === undefined) return false;
  const modBits = bitLength(key.n);
  const emLen = Math.ceil((modBits - 1) / 8);
  let em: Uint8Array;
  try {
    em = bigintToBytes(m, emLen);
  } catch {
    return false;
  }
  return emsaPssVerify(hash, message, em, modBits - 1, hash.length);
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1), by digest length. */
const DIGEST_INFO_PREFIX: Record<number, string> = {
  32: '3031300d060960864801650304020105000420',
  48: '3041300d060960864801650304020205000430',
  64: '3051300d060960864801650304020305000440',
};

/** RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2) for SHA-256/384/512. */
export function rsaPkcs1Verify(key: RsaPublicKey, hash: RsaHash, message: Uint8Array, signature: Uint8Array): boolean {
  const k = rsaModulusBytes(key);
  const prefixHex = DIGEST_INFO_PREFIX[hash.length];
  if (signature.length !== k || !prefixHex) return false;
  const m = rsavp1(key, bytesToBigint(signature));
  if (m === undefined) return false;
  const em = bigintToBytes(m, k);
  const t = new Uint8Array(prefixHex.length / 2 + hash.length);
  for (let i = 0; i < prefixHex.length / 2; i++) t[i] = parseInt(prefixHex.slice(2 * i, 2 * i + 2), 16);
  t.set(hash.digest(message), prefixHex.length / 2);
  if (k < t.length + 11) return false;
  const expected = new Uint8Array(k).fill(0xff);
  expected[0] = 0;
  expected[1] = 1;
  expected[k - t.length - 1] = 0;
  expected.set(t, k - t.length);
  let diff = 0;
  for (let i = 0; i < k; i++) diff |= expected[i]! ^ em[i]!;
  return diff === 0;
}
