/**
 * Verifying a peer's certificate chain, synchronously: path building to a trust anchor with
 * signature, validity (against a `now` passed in, never a clock), basicConstraints and
 * keyUsage checks (RFC 5280 §6, simplified: no policies, no name constraints, no revocation);
 * host name / IP matching against subjectAltName (RFC 6125 §6, RFC 9525); the W3C WebTransport
 * `serverCertificateHashes` mode; and an explicit insecure mode for tests.
 * @module
 */
import { DecodeError } from '../errors.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { Oid } from '../crypto/asym-keys.ts';
import { parseSpki } from '../crypto/asym-keys.ts';
import { bytesEqual } from '../codec/hex.ts';
import { TlsAlert, tlsFail } from './alerts.ts';
import { ANY_EKU_OID, CLIENT_AUTH_OID, SERVER_AUTH_OID, parseX509, pemToDerList, type X509Certificate } from './x509.ts';

/** How a peer's certificate is checked. */
export type TlsCertificateVerification =
  /** Chain to one of the trust anchors (PEM text with CERTIFICATE blocks, or DER). */
  | { readonly mode: 'chain'; readonly trustAnchors: readonly (string | Uint8Array)[] }
  /**
   * W3C WebTransport serverCertificateHashes: the SHA-256 of the DER leaf equals one of
   * `hashes`, its key is ECDSA P-256 and its validity period is at most 14 days. No chain and
   * no name check.
   */
  | { readonly mode: 'server-certificate-hashes'; readonly hashes: readonly Uint8Array[] }
  /** Accept any certificate (the CertificateVerify signature is still checked). Tests only. */
  | { readonly mode: 'insecure-accept-any' };

export interface TlsVerifyContext {
  /** Wall-clock time in milliseconds since the epoch, for validity periods. */
  readonly now: number;
  /** The name the client connected to (DNS name or IP literal); checked when given. */
  readonly serverName?: string | undefined;
  /** Which end presented the chain (selects the extKeyUsage). */
  readonly peer: 'server' | 'client';
}

/** RFC 9525 §6: validity at most 14 days for serverCertificateHashes (W3C WebTransport). */
export const SERVER_CERTIFICATE_HASHES_MAX_VALIDITY_MS = 14 * 24 * 3600 * 1000;

function parseOrFail(der: Uint8Array): X509Certificate {
  try {
    return parseX509(der);
  } catch (e) {
    if (e instanceof DecodeError) tlsFail('bad_certificate', `unparsable certificate: ${e.message}`, e);
    throw e;
  }
}

function checkValidity(cert: X509Certificate, now: number, what: string): void {
  if (now < cert.notBefore || now > cert.notAfter) tlsFail('certificate_expired', `${what} is outside its validity period`);
}

function parseAnchors(anchors: readonly (string | Uint8Array)[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const a of anchors) for (const der of typeof a === 'string' ? pemToDerList(a) : [a]) out.push(parseX509(der));
  return out;
}

function signedBy(crypto: CryptoProvider, cert: X509Certificate, issuer: X509Certificate): boolean {
  if (!cert.signatureAlgorithm) return false;
  return crypto.verify(cert.signatureAlgorithm, issuer.spki, cert.tbs, cert.signature);
}

/**
 * Verifies `chain` (leaf first, as in the Certificate message) and returns the parsed leaf.
 * Throws a TlsAlert: bad_certificate, unsupported_certificate, certificate_expired, unknown_ca
 * or certificate_unknown (name mismatch).
 */
export function verifyCertificateChain(
  crypto: CryptoProvider, chain: readonly Uint8Array[], verification: TlsCertificateVerification, ctx: TlsVerifyContext,
): X509Certificate {
  if (chain.length === 0) tlsFail('certificate_required', 'no certificate');
  const leaf = parseOrFail(chain[0]!);
  if (verification.mode === 'insecure-accept-any') return leaf;
  if (verification.mode === 'server-certificate-hashes') {
    const digest = crypto.hash('sha256', chain[0]!);
    if (!verification.hashes.some((h) => bytesEqual(h, digest))) tlsFail('bad_certificate', 'certificate hash not among serverCertificateHashes');
    let key;
    try {
      key = parseSpki(leaf.spki);
    } catch {
      tlsFail('unsupported_certificate', 'serverCertificateHashes: unsupported public key');
    }
    if (key.type !== 'ec' || key.curve !== 'P-256') tlsFail('unsupported_certificate', 'serverCertificateHashes requires an ECDSA P-256 key');
    if (leaf.notAfter - leaf.notBefore > SERVER_CERTIFICATE_HASHES_MAX_VALIDITY_MS) {
      tlsFail('bad_certificate', 'serverCertificateHashes: validity period longer than 14 days');
    }
    checkValidity(leaf, ctx.now, 'certificate');
    return leaf;
  }

  let anchors: X509Certificate[];
  try {
    anchors = parseAnchors(verification.trustAnchors);
  } catch (e) {
    throw new TlsAlert('internal_error', 'unparsable trust anchor', { cause: e });
  }
  checkLeaf(leaf, ctx);
  const intermediates = chain.slice(1).map(parseOrFail);
  const used = new Set<X509Certificate>();
  let current = leaf;
  let sawBadSignature = false;
  for (let depth = 0; depth <= 10; depth++) {
    if (current.unknownCritical.length) tlsFail('unsupported_certificate', `unknown critical extension ${current.unknownCritical[0]}`);
    if (anchors.some((a) => bytesEqual(a.der, current.der))) return leaf;
    for (const anchor of anchors) {
      if (!bytesEqual(anchor.subject, current.issuer)) continue;
      if (signedBy(crypto, current, anchor)) {
        checkValidity(anchor, ctx.now, 'trust anchor');
        return leaf;
      }
      sawBadSignature = true;
    }
    let next: X509Certificate | undefined;
    for (const candidate of intermediates) {
      if (used.has(candidate) || !bytesEqual(candidate.subject, current.issuer)) continue;
      if (!candidate.isCa || (candidate.keyUsage !== undefined && !(candidate.keyUsage & (1 << 5)))) continue; // keyCertSign
      if (candidate.pathLength !== undefined && candidate.pathLength < depth) continue; // RFC 5280 §4.2.1.9
      if (!signedBy(crypto, current, candidate)) {
        sawBadSignature = true;
        continue;
      }
      next = candidate;
      break;
    }
    if (!next) {
      if (sawBadSignature) tlsFail('bad_certificate', 'certificate signature does not verify');
      if (!current.signatureAlgorithm) tlsFail('unsupported_certificate', `unsupported signature algorithm ${current.signatureAlgorithmOid}`);
      tlsFail('unknown_ca', 'no path to a trust anchor');
    }
    checkValidity(next, ctx.now, 'intermediate certificate');
    used.add(next);
    current = next;
  }
  tlsFail('unknown_ca', 'certificate chain too long');
}

function checkLeaf(leaf: X509Certificate, ctx: TlsVerifyContext): void {
  checkValidity(leaf, ctx.now, 'certificate');
  if (leaf.keyUsage !== undefined && !(leaf.keyUsage & 1)) tlsFail('bad_certificate', 'certificate key usage lacks digitalSignature');
  const eku = ctx.peer === 'server' ? SERVER_AUTH_OID : CLIENT_AUTH_OID;
  if (leaf.extKeyUsage && !leaf.extKeyUsage.includes(eku) && !leaf.extKeyUsage.includes(ANY_EKU_OID)) {
    tlsFail('unsupported_certificate', `certificate not valid for ${ctx.peer} authentication`);
  }
  if (ctx.serverName !== undefined && !certificateMatchesName(leaf, ctx.serverName)) {
    tlsFail('certificate_unknown', `certificate does not match ${ctx.serverName}`);
  }
}

/** Parses an IPv4 or IPv6 literal to bytes, or undefined when `s` is not one. */
export function parseIpAddress(s: string): Uint8Array | undefined {
  const host = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : undefined;
  }
  if (!host.includes(':') || !/^[0-9a-fA-F:.]+$/.test(host)) return undefined;
  const [head, tail, extra] = host.split('::');
  if (extra !== undefined) return undefined;
  const words = (part: string | undefined): number[] | undefined => {
    if (!part) return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v = parseIpAddress(g);
        if (!v || v.length !== 4) return undefined;
        out.push((v[0]! << 8) | v[1]!, (v[2]! << 8) | v[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const a = words(head);
  const b = words(tail);
  if (!a || !b) return undefined;
  const fill = tail === undefined ? 0 : 8 - a.length - b.length;
  if ((tail === undefined && a.length !== 8) || fill < 0 || (tail !== undefined && fill < 1)) return undefined;
  const all = [...a, ...new Array<number>(fill).fill(0), ...b];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >>> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** RFC 6125 §6.4: DNS-ID matching with a wildcard only as the whole leftmost label; IP addresses exactly. */
export function certificateMatchesName(cert: X509Certificate, name: string): boolean {
  const ip = parseIpAddress(name);
  if (ip) return cert.ipAddresses.some((a) => bytesEqual(a, ip));
  const host = name.toLowerCase().replace(/\.$/, '');
  for (const raw of cert.dnsNames) {
    const pattern = raw.toLowerCase().replace(/\.$/, '');
    if (pattern === host) return true;
    if (pattern.startsWith('*.') && !pattern.slice(2).includes('*')) {
      const dot = host.indexOf('.');
      if (dot > 0 && host.slice(dot + 1) === pattern.slice(2) && pattern.slice(2).includes('.')) return true;
    }
  }
  return false;
}

/** Whether a certificate's public key is ECDSA (the W3C serverCertificateHashes requirement uses P-256). */
export function isEcdsaCertificate(cert: X509Certificate): boolean {
  return cert.publicKeyAlgorithmOid === Oid.EC_PUBLIC_KEY;
}
