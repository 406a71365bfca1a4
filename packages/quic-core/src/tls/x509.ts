/**
 * X.509 certificate parsing (RFC 5280 §4.1) to the fields TLS needs: the signed TBS bytes, the
 * signature and its algorithm, issuer and subject (raw DER, compared byte for byte), validity,
 * the SubjectPublicKeyInfo, and the extensions used in path validation and name checks.
 * Synchronous and runtime-neutral, on the DER reader of `crypto/der.ts`.
 * @module
 */
import { DecodeError } from '../errors.ts';
import type { CertificateSignatureAlgorithm, SignatureScheme } from '../crypto/provider.ts';
import { Oid } from '../crypto/asym-keys.ts';
import {
  DerTag, derBitStringBytes, derChild, derChildren, derToBigint, derToOid, derToTime, parseDer, type DerNode,
} from '../crypto/der.ts';

const ExtOid = {
  SUBJECT_ALT_NAME: '2.5.29.17',
  BASIC_CONSTRAINTS: '2.5.29.19',
  KEY_USAGE: '2.5.29.15',
  EXT_KEY_USAGE: '2.5.29.37',
  SUBJECT_KEY_ID: '2.5.29.14',
  AUTHORITY_KEY_ID: '2.5.29.35',
  NAME_CONSTRAINTS: '2.5.29.30',
  CERT_POLICIES: '2.5.29.32',
} as const;
/** Extensions this parser understands; other critical ones make the certificate unusable (RFC 5280 §4.2). */
const UNDERSTOOD = new Set<string>([ExtOid.SUBJECT_ALT_NAME, ExtOid.BASIC_CONSTRAINTS, ExtOid.KEY_USAGE, ExtOid.EXT_KEY_USAGE,
  ExtOid.SUBJECT_KEY_ID, ExtOid.AUTHORITY_KEY_ID, ExtOid.CERT_POLICIES]);
export const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';

export interface X509Certificate {
  /** The whole DER encoding. */
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithmOid: string;
  /** The signature algorithm for `provider.verify`, undefined when unsupported. */
  readonly signatureAlgorithm: SignatureScheme | CertificateSignatureAlgorithm | undefined;
  readonly signature: Uint8Array;
  readonly serialNumber: bigint;
  readonly version: number;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** Milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithmOid: string;
  readonly dnsNames: readonly string[];
  /** iPAddress SANs, 4 or 16 bytes each. */
  readonly ipAddresses: readonly Uint8Array[];
  /** basicConstraints: cA flag (false when absent) and pathLenConstraint. */
  readonly isCa: boolean;
  readonly pathLength: number | undefined;
  /** keyUsage bits (bit 0 = digitalSignature, 5 = keyCertSign), undefined when absent. */
  readonly keyUsage: number | undefined;
  /** extKeyUsage OIDs, undefined when absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  /** OIDs of critical extensions this parser does not understand. */
  readonly unknownCritical: readonly string[];
}

const SIG_ALGS: Record<string, SignatureScheme | CertificateSignatureAlgorithm> = {
  [Oid.ECDSA_SHA256]: 'ecdsa_sha256',
  [Oid.ECDSA_SHA384]: 'ecdsa_sha384',
  [Oid.ECDSA_SHA512]: 'ecdsa_sha512',
  [Oid.RSA_SHA256]: 'rsa_pkcs1_sha256',
  [Oid.RSA_SHA384]: 'rsa_pkcs1_sha384',
  [Oid.RSA_SHA512]: 'rsa_pkcs1_sha512',
  [Oid.ED25519]: 'ed25519',
};

function parseExtensions(node: DerNode) {
  const out = {
    dnsNames: [] as string[], ipAddresses: [] as Uint8Array[], isCa: false, pathLength: undefined as number | undefined,
    keyUsage: undefined as number | undefined, extKeyUsage: undefined as string[] | undefined, unknownCritical: [] as string[],
  };
  const seen = new Set<string>();
  for (const ext of derChildren(parseDer(node.content, DerTag.SEQUENCE))) {
    const parts = derChildren(ext);
    const oid = derToOid(derChild(parts, 0));
    if (seen.has(oid)) throw new DecodeError(`duplicate certificate extension ${oid}`); // RFC 5280 §4.2
    seen.add(oid);
    const critical = parts[1]?.tag === DerTag.BOOLEAN && parts[1].content[0] !== 0;
    const value = derChild(parts, parts.length - 1, DerTag.OCTET_STRING).content;
    switch (oid) {
      case ExtOid.SUBJECT_ALT_NAME:
        for (const name of derChildren(parseDer(value, DerTag.SEQUENCE))) {
          if (name.tag === 0x82) out.dnsNames.push(new TextDecoder().decode(name.content));
          else if (name.tag === 0x87) out.ipAddresses.push(name.content);
        }
        break;
      case ExtOid.BASIC_CONSTRAINTS: {
        const bc = derChildren(parseDer(value, DerTag.SEQUENCE));
        let i = 0;
        if (bc[0]?.tag === DerTag.BOOLEAN) out.isCa = bc[i++]!.content[0] !== 0;
        if (bc[i]?.tag === DerTag.INTEGER) out.pathLength = Number(derToBigint(bc[i]!));
        break;
      }
      case ExtOid.KEY_USAGE: {
        const bits = parseDer(value, DerTag.BIT_STRING).content;
        let v = 0;
        for (let i = 1; i < bits.length && i < 3; i++) {
          const byte = bits[i]!;
          for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) v |= 1 << ((i - 1) * 8 + b);
        }
        out.keyUsage = v;
        break;
      }
      case ExtOid.EXT_KEY_USAGE:
        out.extKeyUsage = derChildren(parseDer(value, DerTag.SEQUENCE)).map(derToOid);
        break;
      default:
        if (critical && !UNDERSTOOD.has(oid)) out.unknownCritical.push(oid);
    }
  }
  return out;
}

/** Parses a DER certificate. Throws DecodeError when malformed. */
export function parseX509(der: Uint8Array): X509Certificate {
  const top = derChildren(parseDer(der, DerTag.SEQUENCE));
  if (top.length !== 3) throw new DecodeError('certificate: expected 3 elements');
  const tbsNode = derChild(top, 0, DerTag.SEQUENCE);
  const sigAlgOid = derToOid(derChild(derChildren(derChild(top, 1, DerTag.SEQUENCE)), 0));
  const signature = derBitStringBytes(derChild(top, 2));
  const tbs = derChildren(tbsNode);
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) version = Number(derToBigint(parseDer(tbs[i++]!.content))) + 1;
  const serialNumber = bytesToSerial(derChild(tbs, i++, DerTag.INTEGER));
  const innerSigOid = derToOid(derChild(derChildren(derChild(tbs, i++, DerTag.SEQUENCE)), 0));
  if (innerSigOid !== sigAlgOid) throw new DecodeError('certificate: signature algorithms differ'); // RFC 5280 §4.1.1.2
  const issuer = derChild(tbs, i++, DerTag.SEQUENCE).raw;
  const validity = derChildren(derChild(tbs, i++, DerTag.SEQUENCE));
  const notBefore = derToTime(derChild(validity, 0));
  const notAfter = derToTime(derChild(validity, 1));
  const subject = derChild(tbs, i++, DerTag.SEQUENCE).raw;
  const spkiNode = derChild(tbs, i++, DerTag.SEQUENCE);
  const publicKeyAlgorithmOid = derToOid(derChild(derChildren(derChild(derChildren(spkiNode), 0, DerTag.SEQUENCE)), 0));
  let exts: ReturnType<typeof parseExtensions> | undefined;
  for (; i < tbs.length; i++) if (tbs[i]!.tag === 0xa3) exts = parseExtensions(tbs[i]!);
  const e = exts ?? parseExtensions({ tag: 0xa3, content: Uint8Array.of(0x30, 0), raw: new Uint8Array(0) });
  return {
    der, tbs: tbsNode.raw, signatureAlgorithmOid: sigAlgOid, signatureAlgorithm: SIG_ALGS[sigAlgOid], signature,
    serialNumber, version, issuer, subject, notBefore, notAfter, spki: spkiNode.raw, publicKeyAlgorithmOid, ...e,
  };
}

function bytesToSerial(node: DerNode): bigint {
  // Serial numbers are positive (RFC 5280 §4.1.2.2) but negative ones exist in the wild: read the magnitude.
  let v = 0n;
  for (const b of node.content) v = (v << 8n) | BigInt(b);
  return v;
}

/** Decodes every CERTIFICATE block of a PEM text to DER. */
export function pemToDerList(pem: string, label = 'CERTIFICATE'): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(re)) out.push(base64Decode(m[1]!.replace(/\s+/g, '')));
  return out;
}

/** DER to PEM. */
export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = base64Encode(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function base64Decode(s: string): Uint8Array {
  const bin = globalThis.atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function base64Encode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return globalThis.btoa(s);
}

export { ANY_EKU_OID };
