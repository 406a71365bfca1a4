/**
 * Asymmetric key formats: PKCS#8 private keys (RFC 5208/5958) and SubjectPublicKeyInfo
 * (RFC 5280 §4.1.2.7) for EC (RFC 5480/5915), RSA (RFC 8017 Appendix A.1) and Ed25519 / X25519
 * (RFC 8410). Parsing to raw components and building DER from them.
 * @module
 */
import { DecodeError } from '../errors.ts';
import {
  DerTag, derBitString, derBitStringBytes, derChild, derChildren, derContext, derInteger, derOctetString,
  derOid, derSequence, derToBigint, derToOid, parseDer,
} from './der.ts';

export const Oid = {
  EC_PUBLIC_KEY: '1.2.840.10045.2.1',
  P256: '1.2.840.10045.3.1.7',
  P384: '1.3.132.0.34',
  RSA_ENCRYPTION: '1.2.840.113549.1.1.1',
  RSASSA_PSS: '1.2.840.113549.1.1.10',
  ED25519: '1.3.101.112',
  X25519: '1.3.101.110',
  ECDSA_SHA256: '1.2.840.10045.4.3.2',
  ECDSA_SHA384: '1.2.840.10045.4.3.3',
  ECDSA_SHA512: '1.2.840.10045.4.3.4',
  RSA_SHA256: '1.2.840.113549.1.1.11',
  RSA_SHA384: '1.2.840.113549.1.1.12',
  RSA_SHA512: '1.2.840.113549.1.1.13',
} as const;

export type EcCurve = 'P-256' | 'P-384';
const curveByOid: Record<string, EcCurve> = { [Oid.P256]: 'P-256', [Oid.P384]: 'P-384' };
const oidByCurve: Record<EcCurve, string> = { 'P-256': Oid.P256, 'P-384': Oid.P384 };
/** Field element size in bytes. */
export const EC_CURVE_BYTES: Readonly<Record<EcCurve, number>> = { 'P-256': 32, 'P-384': 48 };

export type ParsedPublicKey =
  | { readonly type: 'ec'; readonly curve: EcCurve; /** uncompressed point 04||X||Y */ readonly point: Uint8Array }
  | { readonly type: 'rsa'; readonly n: bigint; readonly e: bigint }
  | { readonly type: 'ed25519'; readonly key: Uint8Array };

export type ParsedPrivateKey =
  | { readonly type: 'ec'; readonly curve: EcCurve; readonly d: Uint8Array; readonly point?: Uint8Array }
  | {
    readonly type: 'rsa'; readonly n: bigint; readonly e: bigint; readonly d: bigint; readonly p: bigint; readonly q: bigint;
    readonly dp: bigint; readonly dq: bigint; readonly qinv: bigint;
  }
  | { readonly type: 'ed25519'; readonly seed: Uint8Array };

function ecCurve(oid: string): EcCurve {
  const c = curveByOid[oid];
  if (!c) throw new DecodeError(`unsupported EC curve ${oid}`);
  return c;
}

/** Parses a DER SubjectPublicKeyInfo. Throws DecodeError on malformed or unsupported keys. */
export function parseSpki(der: Uint8Array): ParsedPublicKey {
  const top = derChildren(parseDer(der, DerTag.SEQUENCE));
  const alg = derChildren(derChild(top, 0, DerTag.SEQUENCE));
  const oid = derToOid(derChild(alg, 0));
  const key = derBitStringBytes(derChild(top, 1));
  if (top.length !== 2) throw new DecodeError('SPKI: unexpected elements');
  switch (oid) {
    case Oid.EC_PUBLIC_KEY: {
      const curve = ecCurve(derToOid(derChild(alg, 1)));
      if (key.length !== 1 + 2 * EC_CURVE_BYTES[curve] || key[0] !== 4) throw new DecodeError('SPKI: EC point must be uncompressed');
      return { type: 'ec', curve, point: key };
    }
    case Oid.RSA_ENCRYPTION: {
      const rsa = derChildren(parseDer(key, DerTag.SEQUENCE));
      return { type: 'rsa', n: derToBigint(derChild(rsa, 0)), e: derToBigint(derChild(rsa, 1)) };
    }
    case Oid.ED25519:
      if (key.length !== 32) throw new DecodeError('SPKI: Ed25519 key must be 32 bytes');
      return { type: 'ed25519', key };
    default:
      throw new DecodeError(`SPKI: unsupported key algorithm ${oid}`);
  }
}

/** Parses a DER PKCS#8 PrivateKeyInfo / OneAsymmetricKey. Throws DecodeError on malformed or unsupported keys. */
export function parsePkcs8(der: Uint8Array): ParsedPrivateKey {
  const top = derChildren(parseDer(der, DerTag.SEQUENCE));
  derToBigint(derChild(top, 0, DerTag.INTEGER));
  const alg = derChildren(derChild(top, 1, DerTag.SEQUENCE));
  const oid = derToOid(derChild(alg, 0));
  const inner = derChild(top, 2, DerTag.OCTET_STRING).content;
  switch (oid) {
    case Oid.EC_PUBLIC_KEY: {
      const ec = derChildren(parseDer(inner, DerTag.SEQUENCE));
      const d = derChild(ec, 1, DerTag.OCTET_STRING).content;
      let curveOid = alg[1]?.tag === DerTag.OID ? derToOid(alg[1]) : undefined;
      let point: Uint8Array | undefined;
      for (const el of ec.slice(2)) {
        if (el.tag === 0xa0) curveOid ??= derToOid(parseDer(el.content));
        if (el.tag === 0xa1) point = derBitStringBytes(parseDer(el.content));
      }
      if (!curveOid) throw new DecodeError('PKCS#8: EC key without a curve');
      const curve = ecCurve(curveOid);
      const size = EC_CURVE_BYTES[curve];
      if (d.length > size) throw new DecodeError('PKCS#8: EC private key too long');
      const padded = new Uint8Array(size);
      padded.set(d, size - d.length);
      return point ? { type: 'ec', curve, d: padded, point } : { type: 'ec', curve, d: padded };
    }
    case Oid.RSA_ENCRYPTION: {
      const r = derChildren(parseDer(inner, DerTag.SEQUENCE)).map((n, i) => (i === 0 ? 0n : derToBigint(n)));
      if (r.length < 9) throw new DecodeError('PKCS#8: RSA key incomplete');
      const [, n, e, d, p, q, dp, dq, qinv] = r as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
      return { type: 'rsa', n, e, d, p, q, dp, dq, qinv };
    }
    case Oid.ED25519: {
      const seed = parseDer(inner, DerTag.OCTET_STRING).content;
      if (seed.length !== 32) throw new DecodeError('PKCS#8: Ed25519 key must be 32 bytes');
      return { type: 'ed25519', seed };
    }
    default:
      throw new DecodeError(`PKCS#8: unsupported key algorithm ${oid}`);
  }
}

/** SPKI DER for an EC public key (uncompressed point). */
export function encodeEcSpki(curve: EcCurve, point: Uint8Array): Uint8Array {
  return derSequence(derSequence(derOid(Oid.EC_PUBLIC_KEY), derOid(oidByCurve[curve])), derBitString(point));
}

/** PKCS#8 DER for an EC private key (RFC 5915 ECPrivateKey inside). */
export function encodeEcPkcs8(curve: EcCurve, d: Uint8Array, point: Uint8Array): Uint8Array {
  const ecPrivateKey = derSequence(derInteger(1), derOctetString(d), derContext(1, derBitString(point)));
  return derSequence(derInteger(0), derSequence(derOid(Oid.EC_PUBLIC_KEY), derOid(oidByCurve[curve])), derOctetString(ecPrivateKey));
}

/** SPKI DER for an RSA public key. */
export function encodeRsaSpki(n: bigint, e: bigint): Uint8Array {
  return derSequence(
    derSequence(derOid(Oid.RSA_ENCRYPTION), Uint8Array.of(DerTag.NULL, 0)),
    derBitString(derSequence(derInteger(n), derInteger(e))),
  );
}

/** SPKI DER for an Ed25519 (or, with `x25519`, an X25519) public key. */
export function encodeOkpSpki(key: Uint8Array, x25519 = false): Uint8Array {
  return derSequence(derSequence(derOid(x25519 ? Oid.X25519 : Oid.ED25519)), derBitString(key));
}

/** PKCS#8 DER for an Ed25519 (or X25519) private key. */
export function encodeOkpPkcs8(seed: Uint8Array, x25519 = false): Uint8Array {
  return derSequence(derInteger(0), derSequence(derOid(x25519 ? Oid.X25519 : Oid.ED25519)), derOctetString(derOctetString(seed)));
}

/** The public key (as SPKI DER) belonging to a parsed private key, where it can be read without curve math. */
export function rsaSpkiFromPrivate(key: ParsedPrivateKey & { type: 'rsa' }): Uint8Array {
  return encodeRsaSpki(key.n, key.e);
}
