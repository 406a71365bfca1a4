/**
 * TLS 1.3 extensions (RFC 8446 §4.2) used with QUIC: the codepoints, which message each may
 * appear in, block validation (duplicates, misplaced and unsolicited extensions), and one
 * encode/decode pair per extension body. quic_transport_parameters (RFC 9001 §8.2) stays opaque:
 * the transport layer encodes and decodes it.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { DecodeError } from '../errors.ts';
import type { KeyExchangeGroup, SignatureScheme } from '../crypto/provider.ts';
import { tlsFail } from './alerts.ts';
import { decodeBody, type TlsExtension } from './messages.ts';

/** RFC 8446 §4.2 ExtensionType values (plus RFC 7301 ALPN, RFC 9001 §8.2 QUIC). */
export const TlsExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  quic_transport_parameters: 0x39,
} as const;

/** Messages an extension can appear in (RFC 8446 §4.2 table). */
export type TlsExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

const E = TlsExtensionType;
/** RFC 8446 §4.2 table (with RFC 9001 §8.2 for quic_transport_parameters). */
const ALLOWED: ReadonlyMap<number, readonly TlsExtensionContext[]> = new Map<number, TlsExtensionContext[]>([
  [E.server_name, ['CH', 'EE']],
  [E.max_fragment_length, ['CH', 'EE']],
  [E.status_request, ['CH', 'CR', 'CT']],
  [E.supported_groups, ['CH', 'EE']],
  [E.signature_algorithms, ['CH', 'CR']],
  [E.use_srtp, ['CH', 'EE']],
  [E.heartbeat, ['CH', 'EE']],
  [E.application_layer_protocol_negotiation, ['CH', 'EE']],
  [E.signed_certificate_timestamp, ['CH', 'CR', 'CT']],
  [E.client_certificate_type, ['CH', 'EE']],
  [E.server_certificate_type, ['CH', 'EE']],
  [E.padding, ['CH']],
  [E.pre_shared_key, ['CH', 'SH']],
  [E.early_data, ['CH', 'EE', 'NST']],
  [E.supported_versions, ['CH', 'SH', 'HRR']],
  [E.cookie, ['CH', 'HRR']],
  [E.psk_key_exchange_modes, ['CH']],
  [E.certificate_authorities, ['CH', 'CR']],
  [E.oid_filters, ['CR']],
  [E.post_handshake_auth, ['CH']],
  [E.signature_algorithms_cert, ['CH', 'CR']],
  [E.key_share, ['CH', 'SH', 'HRR']],
  [E.quic_transport_parameters, ['CH', 'EE']],
]);

/**
 * Validates an extension block and indexes it by type.
 * - More than one extension of a type (RFC 8446 §4.2) is refused with illegal_parameter (the
 *   RFC names no alert; the block is inconsistent, RFC 8446 §6.2).
 * - A known extension in a message the table does not list: illegal_parameter (RFC 8446 §4.2).
 * - In messages answering the peer (SH, HRR, EE, CR, CT from our side's point of view), an
 *   extension we did not offer: unsupported_extension (RFC 8446 §4.2), cookie in HRR excepted.
 * - Unknown extensions in a ClientHello (or a NewSessionTicket, §4.6.1) are ignored.
 */
export function parseExtensionBlock(
  extensions: readonly TlsExtension[], context: TlsExtensionContext, offered?: ReadonlySet<number>,
): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const e of extensions) {
    if (out.has(e.type)) tlsFail('illegal_parameter', `duplicate extension ${e.type}`);
    const allowed = ALLOWED.get(e.type);
    if (allowed && !allowed.includes(context)) tlsFail('illegal_parameter', `extension ${e.type} not allowed in ${context}`);
    const solicitable = context !== 'CH' && context !== 'NST' && context !== 'CR' && !(context === 'HRR' && e.type === E.cookie);
    if (solicitable && offered && !offered.has(e.type)) tlsFail('unsupported_extension', `unsolicited extension ${e.type} in ${context}`);
    if (!allowed && (context === 'CH' || context === 'NST' || context === 'CR')) continue; // unknown: ignored
    out.set(e.type, e.data);
  }
  return out;
}

// --- named groups and signature schemes ---

/** RFC 8446 §4.2.7 NamedGroup codepoints. */
export const TLS_GROUP_CODES: Readonly<Record<KeyExchangeGroup, number>> = { secp256r1: 0x0017, secp384r1: 0x0018, x25519: 0x001d };
export function tlsGroupByCode(code: number): KeyExchangeGroup | undefined {
  for (const [name, value] of Object.entries(TLS_GROUP_CODES)) if (value === code) return name as KeyExchangeGroup;
  return undefined;
}

/** RFC 8446 §4.2.3 SignatureScheme codepoints. */
export const TLS_SIGNATURE_CODES: Readonly<Record<SignatureScheme, number>> = {
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
};
export function tlsSignatureByCode(code: number): SignatureScheme | undefined {
  for (const [name, value] of Object.entries(TLS_SIGNATURE_CODES)) if (value === code) return name as SignatureScheme;
  return undefined;
}

// --- bodies ---

function u16List(values: readonly number[], lengthBytes: 1 | 2): Uint8Array {
  const w = new Writer(2 + values.length * 2);
  if (lengthBytes === 1) w.u8(values.length * 2);
  else w.u16(values.length * 2);
  for (const v of values) w.u16(v);
  return w.finish();
}

function readU16List(r: Reader, lengthBytes: 1 | 2, what: string): number[] {
  const raw = lengthBytes === 1 ? r.vec8() : r.vec16();
  if (raw.length === 0 || raw.length % 2) throw new DecodeError(`${what}: bad list length ${raw.length}`);
  const out: number[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push((raw[i]! << 8) | raw[i + 1]!);
  return out;
}

const text = new TextEncoder();
const untext = new TextDecoder('utf-8', { fatal: false });

/** server_name in a ClientHello (RFC 6066 §3): one host_name. */
export function encodeServerName(host: string): Uint8Array {
  const name = text.encode(host);
  const w = new Writer(5 + name.length);
  w.u16(3 + name.length).u8(0).vec16(name);
  return w.finish();
}
/** The host_name of a server_name extension (undefined if none of type host_name). */
export function decodeServerName(data: Uint8Array): string | undefined {
  return decodeBody('server_name', data, (r) => {
    const list = new Reader(r.vec16());
    if (list.done) throw new DecodeError('empty server_name list');
    let host: string | undefined;
    while (!list.done) {
      const type = list.u8();
      const name = list.vec16();
      if (type === 0) {
        if (host !== undefined) throw new DecodeError('two host_name entries'); // RFC 6066 §3
        if (name.length === 0) throw new DecodeError('empty host_name');
        host = untext.decode(name);
      }
    }
    return host;
  });
}

export const encodeSupportedGroups = (codes: readonly number[]): Uint8Array => u16List(codes, 2);
export const decodeSupportedGroups = (data: Uint8Array): number[] => decodeBody('supported_groups', data, (r) => readU16List(r, 2, 'supported_groups'));

export const encodeSignatureAlgorithms = (codes: readonly number[]): Uint8Array => u16List(codes, 2);
export const decodeSignatureAlgorithms = (data: Uint8Array): number[] =>
  decodeBody('signature_algorithms', data, (r) => readU16List(r, 2, 'signature_algorithms'));

/** ALPN ProtocolNameList (RFC 7301 §3.1). */
export function encodeAlpn(protocols: readonly string[]): Uint8Array {
  const w = new Writer(64);
  const inner = new Writer(64);
  for (const p of protocols) {
    const b = text.encode(p);
    if (b.length === 0 || b.length > 255) throw new RangeError(`ALPN protocol name length ${b.length}`);
    inner.vec8(b);
  }
  w.vec16(inner.view());
  return w.finish();
}
export function decodeAlpn(data: Uint8Array): string[] {
  return decodeBody('application_layer_protocol_negotiation', data, (r) => {
    const list = new Reader(r.vec16());
    const out: string[] = [];
    while (!list.done) {
      const name = list.vec8();
      if (name.length === 0) throw new DecodeError('empty ALPN protocol name'); // RFC 7301 §3.1
      out.push(untext.decode(name));
    }
    if (out.length === 0) throw new DecodeError('empty ALPN list');
    return out;
  });
}

/** supported_versions in a ClientHello: a list; in a ServerHello / HRR: the selected version. */
export const encodeSupportedVersionsClient = (versions: readonly number[]): Uint8Array => u16List(versions, 1);
export const decodeSupportedVersionsClient = (data: Uint8Array): number[] =>
  decodeBody('supported_versions', data, (r) => readU16List(r, 1, 'supported_versions'));
export const encodeSupportedVersionsServer = (version: number): Uint8Array => Uint8Array.of(version >>> 8, version & 0xff);
export const decodeSupportedVersionsServer = (data: Uint8Array): number => decodeBody('supported_versions', data, (r) => r.u16());

export interface TlsKeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}

/** key_share in a ClientHello: client_shares (RFC 8446 §4.2.8). */
export function encodeKeyShareClient(entries: readonly TlsKeyShareEntry[]): Uint8Array {
  const inner = new Writer(128);
  for (const e of entries) inner.u16(e.group).vec16(e.keyExchange);
  return new Writer(inner.pos + 2).vec16(inner.view()).finish();
}
export function decodeKeyShareClient(data: Uint8Array): TlsKeyShareEntry[] {
  return decodeBody('key_share', data, (r) => {
    const list = new Reader(r.vec16());
    const out: TlsKeyShareEntry[] = [];
    while (!list.done) {
      const group = list.u16();
      const keyExchange = list.vec16();
      if (keyExchange.length === 0) throw new DecodeError('empty key_exchange');
      out.push({ group, keyExchange });
    }
    return out;
  });
}
/** key_share in a ServerHello: server_share. */
export const encodeKeyShareServer = (e: TlsKeyShareEntry): Uint8Array => new Writer(4 + e.keyExchange.length).u16(e.group).vec16(e.keyExchange).finish();
export const decodeKeyShareServer = (data: Uint8Array): TlsKeyShareEntry =>
  decodeBody('key_share', data, (r) => {
    const group = r.u16();
    const keyExchange = r.vec16();
    if (keyExchange.length === 0) throw new DecodeError('empty key_exchange');
    return { group, keyExchange };
  });
/** key_share in a HelloRetryRequest: selected_group. */
export const encodeKeyShareHrr = (group: number): Uint8Array => Uint8Array.of(group >>> 8, group & 0xff);
export const decodeKeyShareHrr = (data: Uint8Array): number => decodeBody('key_share', data, (r) => r.u16());

/** RFC 8446 §4.2.9 PskKeyExchangeMode. */
export const TlsPskMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;
export const encodePskModes = (modes: readonly number[]): Uint8Array => Uint8Array.of(modes.length, ...modes);
export const decodePskModes = (data: Uint8Array): number[] =>
  decodeBody('psk_key_exchange_modes', data, (r) => {
    const raw = r.vec8();
    if (raw.length === 0) throw new DecodeError('empty psk_key_exchange_modes');
    return [...raw];
  });

export interface TlsPskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}
export interface TlsOfferedPsks {
  readonly identities: readonly TlsPskIdentity[];
  readonly binders: readonly Uint8Array[];
}

/** pre_shared_key in a ClientHello (RFC 8446 §4.2.11). */
export function encodeOfferedPsks(psks: TlsOfferedPsks): Uint8Array {
  const ids = new Writer(128);
  for (const i of psks.identities) ids.vec16(i.identity).u32(i.obfuscatedTicketAge);
  const binders = new Writer(128);
  for (const b of psks.binders) binders.vec8(b);
  return new Writer(ids.pos + binders.pos + 4).vec16(ids.view()).vec16(binders.view()).finish();
}
export function decodeOfferedPsks(data: Uint8Array): TlsOfferedPsks {
  return decodeBody('pre_shared_key', data, (r) => {
    const ids = new Reader(r.vec16());
    const identities: TlsPskIdentity[] = [];
    while (!ids.done) {
      const identity = ids.vec16();
      if (identity.length === 0) throw new DecodeError('empty PSK identity');
      identities.push({ identity, obfuscatedTicketAge: ids.u32() });
    }
    const bs = new Reader(r.vec16());
    const binders: Uint8Array[] = [];
    while (!bs.done) {
      const b = bs.vec8();
      if (b.length < 32) throw new DecodeError('PSK binder shorter than 32 bytes');
      binders.push(b);
    }
    if (identities.length === 0 || binders.length === 0) throw new DecodeError('empty pre_shared_key lists');
    return { identities, binders };
  });
}
/** Length of the binders part of an encoded pre_shared_key extension (for the partial transcript). */
export function offeredPsksBindersLength(binders: readonly Uint8Array[]): number {
  return 2 + binders.reduce((s, b) => s + 1 + b.length, 0);
}
/** pre_shared_key in a ServerHello: selected_identity. */
export const encodeSelectedPsk = (index: number): Uint8Array => Uint8Array.of(index >>> 8, index & 0xff);
export const decodeSelectedPsk = (data: Uint8Array): number => decodeBody('pre_shared_key', data, (r) => r.u16());

/** early_data in a NewSessionTicket: max_early_data_size (RFC 8446 §4.2.10). */
export const encodeEarlyDataTicket = (max: number): Uint8Array => new Writer(4).u32(max).finish();
export const decodeEarlyDataTicket = (data: Uint8Array): number => decodeBody('early_data', data, (r) => r.u32());
/** early_data in ClientHello / EncryptedExtensions: empty. */
export const decodeEmptyExtension = (what: string, data: Uint8Array): void => decodeBody(what, data, () => undefined);

/** cookie (RFC 8446 §4.2.2). */
export const encodeCookie = (cookie: Uint8Array): Uint8Array => new Writer(2 + cookie.length).vec16(cookie).finish();
export const decodeCookie = (data: Uint8Array): Uint8Array =>
  decodeBody('cookie', data, (r) => {
    const c = r.vec16();
    if (c.length === 0) throw new DecodeError('empty cookie');
    return c;
  });
