/**
 * A minimal DER (ITU-T X.690) reader and writer: enough for PKCS#8 and SPKI keys, ECDSA
 * signatures and X.509 certificates. Definite lengths only, as DER requires.
 * @module
 */
import { DecodeError } from '../errors.ts';

/** Universal tags used by the key and certificate formats. */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One TLV: `tag`, the content view, and `raw` (the whole encoding, header included). */
export interface DerNode {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly raw: Uint8Array;
}

/** Reads one TLV starting at `pos`; returns it and the position after it. */
export function readDer(buf: Uint8Array, pos = 0): { node: DerNode; next: number } {
  if (pos + 2 > buf.length) throw new DecodeError('truncated DER header');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DecodeError('multi-byte DER tags are not supported');
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DecodeError('unsupported DER length');
    if (p + n > buf.length) throw new DecodeError('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
    if (len < 0x80 || (n > 1 && buf[pos + 2] === 0)) throw new DecodeError('non-minimal DER length');
  }
  if (p + len > buf.length) throw new DecodeError('truncated DER content');
  return { node: { tag, content: buf.subarray(p, p + len), raw: buf.subarray(pos, p + len) }, next: p + len };
}

/** Parses `buf` as exactly one TLV (trailing bytes are an error). */
export function parseDer(buf: Uint8Array, tag?: number): DerNode {
  const { node, next } = readDer(buf, 0);
  if (next !== buf.length) throw new DecodeError('trailing bytes after DER value');
  if (tag !== undefined && node.tag !== tag) throw new DecodeError(`expected DER tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  return node;
}

/** The children of a constructed value. */
export function derChildren(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.content.length) {
    const { node: child, next } = readDer(node.content, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

/** Child `i`, optionally checking its tag; throws DecodeError when missing. */
export function derChild(children: readonly DerNode[], i: number, tag?: number): DerNode {
  const c = children[i];
  if (!c) throw new DecodeError(`missing DER element ${i}`);
  if (tag !== undefined && c.tag !== tag) throw new DecodeError(`DER element ${i}: expected tag 0x${tag.toString(16)}, got 0x${c.tag.toString(16)}`);
  return c;
}

/** A non-negative INTEGER as a bigint. */
export function derToBigint(node: DerNode): bigint {
  if (node.tag !== DerTag.INTEGER || node.content.length === 0) throw new DecodeError('expected DER INTEGER');
  if (node.content[0]! & 0x80) throw new DecodeError('negative DER INTEGER');
  return bytesToBigint(node.content);
}

/** An OBJECT IDENTIFIER in dotted form. */
export function derToOid(node: DerNode): string {
  if (node.tag !== DerTag.OID || node.content.length === 0) throw new DecodeError('expected DER OID');
  const c = node.content;
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < c.length; i++) {
    value = value * 128 + (c[i]! & 0x7f);
    if (!(c[i]! & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    } else if (i === c.length - 1) throw new DecodeError('truncated DER OID');
  }
  return parts.join('.');
}

/** The bytes of a BIT STRING with no unused bits. */
export function derBitStringBytes(node: DerNode): Uint8Array {
  if (node.tag !== DerTag.BIT_STRING || node.content.length === 0 || node.content[0] !== 0) {
    throw new DecodeError('expected DER BIT STRING of whole bytes');
  }
  return node.content.subarray(1);
}

/** Big-endian unsigned bytes to bigint. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** bigint to big-endian bytes of exactly `length` bytes (RangeError if it does not fit). */
export function bigintToBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError('integer too large for its length');
  return out;
}

// --- writer ---

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

/** One TLV from a tag and its content parts. */
export function derEncode(tag: number, ...content: Uint8Array[]): Uint8Array {
  const len = content.reduce((s, c) => s + c.length, 0);
  const header = [tag, ...lengthBytes(len)];
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  let p = header.length;
  for (const c of content) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

export const derSequence = (...items: Uint8Array[]): Uint8Array => derEncode(DerTag.SEQUENCE, ...items);
export const derSet = (...items: Uint8Array[]): Uint8Array => derEncode(DerTag.SET, ...items);
export const derOctetString = (b: Uint8Array): Uint8Array => derEncode(DerTag.OCTET_STRING, b);
export const derBitString = (b: Uint8Array): Uint8Array => derEncode(DerTag.BIT_STRING, Uint8Array.of(0), b);
export const derNull = (): Uint8Array => Uint8Array.of(DerTag.NULL, 0);
export const derUtf8 = (s: string): Uint8Array => derEncode(DerTag.UTF8_STRING, new TextEncoder().encode(s));
/** Context-specific tag `[n]`, constructed (explicit) by default. */
export const derContext = (n: number, content: Uint8Array, constructed = true): Uint8Array =>
  derEncode((constructed ? 0xa0 : 0x80) | n, content);

/** A non-negative INTEGER. */
export function derInteger(v: bigint | number): Uint8Array {
  let big = BigInt(v);
  if (big < 0n) throw new RangeError('negative INTEGER');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(big & 0xffn));
    big >>= 8n;
  } while (big > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return derEncode(DerTag.INTEGER, Uint8Array.from(bytes));
}

/** An INTEGER from unsigned big-endian bytes (leading zeros stripped, sign byte added). */
export function derIntegerBytes(b: Uint8Array): Uint8Array {
  return derInteger(bytesToBigint(b));
}

/** An OBJECT IDENTIFIER from dotted form. */
export function derOid(oid: string): Uint8Array {
  const parts = oid.split('.').map(Number);
  if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 0)) throw new RangeError(`bad OID ${oid}`);
  const values = [parts[0]! * 40 + parts[1]!, ...parts.slice(2)];
  const out: number[] = [];
  for (let v of values) {
    const chunk = [v & 0x7f];
    v = Math.floor(v / 128);
    while (v > 0) {
      chunk.unshift(0x80 | (v & 0x7f));
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return derEncode(DerTag.OID, Uint8Array.from(out));
}

/** UTCTime (years 1950-2049) or GeneralizedTime, from milliseconds since the epoch (RFC 5280 §4.1.2.5). */
export function derTime(ms: number): Uint8Array {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return derEncode(DerTag.UTC_TIME, new TextEncoder().encode(two(y % 100) + rest));
  return derEncode(DerTag.GENERALIZED_TIME, new TextEncoder().encode(String(y).padStart(4, '0') + rest));
}

/** Parses UTCTime / GeneralizedTime to milliseconds since the epoch. */
export function derToTime(node: DerNode): number {
  const s = new TextDecoder().decode(node.content);
  let m: RegExpExecArray | null;
  let year: number;
  if (node.tag === DerTag.UTC_TIME && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 §4.1.2.5.1
  } else if (node.tag === DerTag.GENERALIZED_TIME && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    year = Number(m[1]);
  } else throw new DecodeError(`bad DER time ${JSON.stringify(s)}`);
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
