/** Test helpers for TLS handshakes: keys, certificates, and an in-memory pump between two sessions. */
import { generateKeyPairSync } from 'node:crypto';
import type { CryptoProvider, SignatureScheme, TlsClient, TlsEvent, TlsLevel, TlsServer } from '@quicts/quic-core';
import {
  derBitString, derContext, derEncode, derInteger, derOctetString, derOid, derSequence, derSet, derTime, derUtf8,
} from '../../src/crypto/der.ts';

export interface TestKey {
  readonly pkcs8: Uint8Array;
  readonly spki: Uint8Array;
}

function exportKey(kp: { privateKey: { export(o: object): unknown }; publicKey: { export(o: object): unknown } }): TestKey {
  return {
    pkcs8: new Uint8Array(kp.privateKey.export({ format: 'der', type: 'pkcs8' }) as Uint8Array),
    spki: new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }) as Uint8Array),
  };
}

export const keys = {
  p256: exportKey(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  p384: exportKey(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  rsa: exportKey(generateKeyPairSync('rsa', { modulusLength: 2048 })),
  ed25519: exportKey(generateKeyPairSync('ed25519')),
  ca: exportKey(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  otherCa: exportKey(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
};

/** The key each signature scheme needs. */
export const keyForScheme: Record<SignatureScheme, TestKey> = {
  ecdsa_secp256r1_sha256: keys.p256,
  ecdsa_secp384r1_sha384: keys.p384,
  rsa_pss_rsae_sha256: keys.rsa,
  rsa_pss_rsae_sha384: keys.rsa,
  rsa_pss_rsae_sha512: keys.rsa,
  ed25519: keys.ed25519,
};

export const DAY = 24 * 3600 * 1000;
export const NOW = Date.UTC(2025, 5, 1);

const nameOf = (cn: string) => derSequence(derSet(derSequence(derOid('2.5.4.3'), derUtf8(cn))));

/** A certificate signed by `issuerKey` (ECDSA P-256, ecdsa-with-SHA256). */
export function makeCertificate(crypto: CryptoProvider, o: {
  subject: string; subjectKey: TestKey; issuer: string; issuerKey: TestKey; isCa?: boolean; names?: string[];
  notBefore?: number; notAfter?: number; serial?: number;
}): Uint8Array {
  const sigAlg = derSequence(derOid('1.2.840.10045.4.3.2'));
  const exts = [derSequence(derOid('2.5.29.19'), Uint8Array.of(1, 1, 0xff), derOctetString(o.isCa ? derSequence(Uint8Array.of(1, 1, 0xff)) : derSequence()))];
  if (o.names) exts.push(derSequence(derOid('2.5.29.17'), derOctetString(derSequence(...o.names.map((n) => derEncode(0x82, new TextEncoder().encode(n)))))));
  const tbs = derSequence(
    derContext(0, derInteger(2)), derInteger(o.serial ?? 7), sigAlg, nameOf(o.issuer),
    derSequence(derTime(o.notBefore ?? NOW - 30 * DAY), derTime(o.notAfter ?? NOW + 300 * DAY)), nameOf(o.subject), o.subjectKey.spki,
    derContext(3, derSequence(...exts)),
  );
  const sig = crypto.sign('ecdsa_secp256r1_sha256', o.issuerKey.pkcs8, tbs);
  return derSequence(tbs, sigAlg, derBitString(sig));
}

export type Session = TlsClient | TlsServer;
export type Tamper = (from: 'client' | 'server', level: TlsLevel, data: Uint8Array) => Uint8Array;

/** Moves handshake bytes both ways until nothing moves; optionally one byte at a time or tampered. */
export function pump(client: Session, server: Session, opts: { bytewise?: boolean; tamper?: Tamper } = {}): void {
  for (let moved = true; moved;) {
    moved = false;
    for (const [from, to, name] of [[client, server, 'client'], [server, client, 'server']] as const) {
      for (let o = from.writeHandshake(); o; o = from.writeHandshake()) {
        const data = opts.tamper ? opts.tamper(name, o.level, o.data) : o.data;
        if (opts.bytewise) for (let i = 0; i < data.length; i++) to.readHandshake(o.level, data.subarray(i, i + 1));
        else to.readHandshake(o.level, data);
        moved = true;
      }
    }
  }
}

export function drain(session: { pollEvent(): TlsEvent | null }): TlsEvent[] {
  const out: TlsEvent[] = [];
  for (let e = session.pollEvent(); e; e = session.pollEvent()) out.push(e);
  return out;
}
