/**
 * TLS 1.3 handshake messages (RFC 8446 §4): one encode and one decode per message. Bodies are
 * decoded from a complete message (see `handshake-buffer.ts` for framing); malformed input
 * raises a `decode_error` TlsAlert (RFC 8446 §6.2). Extension blocks stay raw here and are
 * interpreted in `extensions.ts`.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { DecodeError } from '../errors.ts';
import { tlsFail } from './alerts.ts';

/** RFC 8446 §4 HandshakeType. */
export const TlsHandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const;

/** legacy_version in hellos (RFC 8446 §4.1.2). */
export const TLS12_VERSION = 0x0303;
export const TLS13_VERSION = 0x0304;

/** RFC 8446 §4.1.3: the ServerHello.random that marks a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** One raw extension: type and opaque extension_data. */
export interface TlsExtension {
  readonly type: number;
  readonly data: Uint8Array;
}

export interface TlsClientHello {
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly compressionMethods: Uint8Array;
  readonly extensions: readonly TlsExtension[];
}

/** A ServerHello; a HelloRetryRequest is a ServerHello with {@link HELLO_RETRY_REQUEST_RANDOM}. */
export interface TlsServerHello {
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: readonly TlsExtension[];
}

export interface TlsEncryptedExtensions {
  readonly extensions: readonly TlsExtension[];
}

export interface TlsCertificateEntry {
  readonly data: Uint8Array;
  readonly extensions: readonly TlsExtension[];
}

export interface TlsCertificateMessage {
  readonly context: Uint8Array;
  readonly entries: readonly TlsCertificateEntry[];
}

export interface TlsCertificateRequest {
  readonly context: Uint8Array;
  readonly extensions: readonly TlsExtension[];
}

export interface TlsCertificateVerify {
  readonly scheme: number;
  readonly signature: Uint8Array;
}

export interface TlsFinished {
  readonly verifyData: Uint8Array;
}

export interface TlsNewSessionTicket {
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly TlsExtension[];
}

/** Wraps a body in the handshake header: msg_type (1) || length (3) || body. */
export function encodeHandshake(type: number, body: Uint8Array): Uint8Array {
  if (body.length > 0xffffff) throw new RangeError('handshake message too long');
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = body.length >>> 16;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

/** Runs a body decoder, requiring it to consume every byte; malformed input is decode_error. */
export function decodeBody<T>(what: string, body: Uint8Array, decode: (r: Reader) => T): T {
  const r = new Reader(body);
  let value: T;
  try {
    value = decode(r);
  } catch (e) {
    if (e instanceof DecodeError) tlsFail('decode_error', `${what}: ${e.message}`, e);
    throw e;
  }
  if (!r.done) tlsFail('decode_error', `${what}: ${r.remaining} trailing bytes`);
  return value;
}

function writeExtensions(w: Writer, extensions: readonly TlsExtension[]): void {
  const at = w.reserve(2);
  const start = w.pos;
  for (const e of extensions) w.u16(e.type).vec16(e.data);
  const len = w.pos - start;
  if (len > 0xffff) throw new RangeError('extensions too long');
  w.view()[at] = len >>> 8;
  w.view()[at + 1] = len & 0xff;
}

function readExtensions(r: Reader): TlsExtension[] {
  const block = new Reader(r.vec16());
  const out: TlsExtension[] = [];
  while (!block.done) out.push({ type: block.u16(), data: block.vec16() });
  return out;
}

function readVec(r: Reader, lengthBytes: 1 | 2 | 3, min: number, max: number, what: string): Uint8Array {
  const v = lengthBytes === 1 ? r.vec8() : lengthBytes === 2 ? r.vec16() : r.vec24();
  if (v.length < min || v.length > max) throw new DecodeError(`${what} length ${v.length} outside ${min}..${max}`);
  return v;
}

// --- ClientHello (RFC 8446 §4.1.2) ---

export function encodeClientHello(m: TlsClientHello): Uint8Array {
  const w = new Writer(512);
  w.u16(TLS12_VERSION).bytes(m.random).vec8(m.sessionId);
  w.u16(m.cipherSuites.length * 2);
  for (const s of m.cipherSuites) w.u16(s);
  w.vec8(m.compressionMethods);
  writeExtensions(w, m.extensions);
  return encodeHandshake(TlsHandshakeType.client_hello, w.view());
}

export function decodeClientHello(body: Uint8Array): TlsClientHello {
  return decodeBody('ClientHello', body, (r) => {
    r.u16(); // legacy_version: RFC 8446 §4.1.2 says it is 0x0303; supported_versions decides
    const random = r.bytes(32);
    const sessionId = readVec(r, 1, 0, 32, 'legacy_session_id');
    const suites = readVec(r, 2, 2, 0xfffe, 'cipher_suites');
    if (suites.length % 2) throw new DecodeError('odd cipher_suites length');
    const cipherSuites: number[] = [];
    for (let i = 0; i < suites.length; i += 2) cipherSuites.push((suites[i]! << 8) | suites[i + 1]!);
    const compressionMethods = readVec(r, 1, 1, 255, 'legacy_compression_methods');
    // A TLS 1.2-style hello may omit extensions; TLS 1.3 needs supported_versions, so treat as empty.
    const extensions = r.done ? [] : readExtensions(r);
    return { random, sessionId, cipherSuites, compressionMethods, extensions };
  });
}

// --- ServerHello / HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4) ---

export function encodeServerHello(m: TlsServerHello): Uint8Array {
  const w = new Writer(256);
  w.u16(TLS12_VERSION).bytes(m.random).vec8(m.sessionId).u16(m.cipherSuite).u8(m.compressionMethod);
  writeExtensions(w, m.extensions);
  return encodeHandshake(TlsHandshakeType.server_hello, w.view());
}

export function decodeServerHello(body: Uint8Array): TlsServerHello & { readonly legacyVersion: number } {
  return decodeBody('ServerHello', body, (r) => {
    const legacyVersion = r.u16();
    const random = r.bytes(32);
    const sessionId = readVec(r, 1, 0, 32, 'legacy_session_id_echo');
    const cipherSuite = r.u16();
    const compressionMethod = r.u8();
    const extensions = r.done ? [] : readExtensions(r);
    return { legacyVersion, random, sessionId, cipherSuite, compressionMethod, extensions };
  });
}

/** True when a ServerHello is a HelloRetryRequest. */
export function isHelloRetryRequest(m: { readonly random: Uint8Array }): boolean {
  return m.random.length === 32 && m.random.every((b, i) => b === HELLO_RETRY_REQUEST_RANDOM[i]);
}

// --- EncryptedExtensions (RFC 8446 §4.3.1) ---

export function encodeEncryptedExtensions(m: TlsEncryptedExtensions): Uint8Array {
  const w = new Writer(128);
  writeExtensions(w, m.extensions);
  return encodeHandshake(TlsHandshakeType.encrypted_extensions, w.view());
}

export function decodeEncryptedExtensions(body: Uint8Array): TlsEncryptedExtensions {
  return decodeBody('EncryptedExtensions', body, (r) => ({ extensions: readExtensions(r) }));
}

// --- Certificate (RFC 8446 §4.4.2) ---

export function encodeCertificate(m: TlsCertificateMessage): Uint8Array {
  const w = new Writer(2048);
  w.vec8(m.context);
  const list = new Writer(2048);
  for (const e of m.entries) {
    list.vec24(e.data);
    writeExtensions(list, e.extensions);
  }
  w.vec24(list.view());
  return encodeHandshake(TlsHandshakeType.certificate, w.view());
}

export function decodeCertificate(body: Uint8Array): TlsCertificateMessage {
  return decodeBody('Certificate', body, (r) => {
    const context = r.vec8();
    const list = new Reader(r.vec24());
    const entries: TlsCertificateEntry[] = [];
    while (!list.done) {
      const data = readVec(list, 3, 1, 0xffffff, 'cert_data');
      entries.push({ data, extensions: readExtensions(list) });
    }
    return { context, entries };
  });
}

// --- CertificateRequest (RFC 8446 §4.3.2) ---

export function encodeCertificateRequest(m: TlsCertificateRequest): Uint8Array {
  const w = new Writer(128);
  w.vec8(m.context);
  writeExtensions(w, m.extensions);
  return encodeHandshake(TlsHandshakeType.certificate_request, w.view());
}

export function decodeCertificateRequest(body: Uint8Array): TlsCertificateRequest {
  return decodeBody('CertificateRequest', body, (r) => ({ context: r.vec8(), extensions: readExtensions(r) }));
}

// --- CertificateVerify (RFC 8446 §4.4.3) ---

export function encodeCertificateVerify(m: TlsCertificateVerify): Uint8Array {
  const w = new Writer(16 + m.signature.length);
  w.u16(m.scheme).vec16(m.signature);
  return encodeHandshake(TlsHandshakeType.certificate_verify, w.view());
}

export function decodeCertificateVerify(body: Uint8Array): TlsCertificateVerify {
  return decodeBody('CertificateVerify', body, (r) => ({ scheme: r.u16(), signature: readVec(r, 2, 0, 0xffff, 'signature') }));
}

// --- Finished (RFC 8446 §4.4.4) ---

export function encodeFinished(m: TlsFinished): Uint8Array {
  return encodeHandshake(TlsHandshakeType.finished, m.verifyData);
}

/** Finished carries exactly Hash.length bytes; any other length is decode_error. */
export function decodeFinished(body: Uint8Array, hashLength: number): TlsFinished {
  return decodeBody('Finished', body, (r) => ({ verifyData: r.bytes(hashLength) }));
}

// --- EndOfEarlyData (RFC 8446 §4.5): TLS over TCP only, never in QUIC (RFC 9001 §8.3) ---

export function encodeEndOfEarlyData(): Uint8Array {
  return encodeHandshake(TlsHandshakeType.end_of_early_data, new Uint8Array(0));
}

/** EndOfEarlyData has an empty body. */
export function decodeEndOfEarlyData(body: Uint8Array): void {
  decodeBody('EndOfEarlyData', body, () => undefined);
}

// --- NewSessionTicket (RFC 8446 §4.6.1) ---

export function encodeNewSessionTicket(m: TlsNewSessionTicket): Uint8Array {
  const w = new Writer(64 + m.ticket.length);
  w.u32(m.lifetime).u32(m.ageAdd).vec8(m.nonce).vec16(m.ticket);
  writeExtensions(w, m.extensions);
  return encodeHandshake(TlsHandshakeType.new_session_ticket, w.view());
}

export function decodeNewSessionTicket(body: Uint8Array): TlsNewSessionTicket {
  return decodeBody('NewSessionTicket', body, (r) => ({
    lifetime: r.u32(),
    ageAdd: r.u32(),
    nonce: r.vec8(),
    ticket: readVec(r, 2, 1, 0xffff, 'ticket'),
    extensions: readExtensions(r),
  }));
}
