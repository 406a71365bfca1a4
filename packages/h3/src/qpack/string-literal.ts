/**
 * String literals (RFC 7541 §5.2, extended by RFC 9204 §4.1.2 to start mid-byte): an H bit,
 * the length as an (N-1)-bit prefixed integer, then the bytes, Huffman-coded when H is set.
 * Reading is split in two steps, `scanString` (length, limits, and whether all bytes are here)
 * and `decodeString` (the text), so an incremental parser never decodes a string twice.
 * Text is UTF-8; invalid sequences decode to U+FFFD, and sizes always use the wire byte count.
 * @module
 */
import { QpackError } from '../errors.ts';
import type { ByteWriter } from './byte-writer.ts';
import { huffmanDecodeInto, huffmanEncodedLength, huffmanEncodeInto, huffmanMaxDecodedLength } from './huffman.ts';
import { type Cursor, prefixIntLength, readPrefixInt, writePrefixInt } from './prefix-int.ts';

/** When to Huffman-code a string: when that is shorter (`auto`), never, or always. */
export type HuffmanMode = 'auto' | 'never' | 'always';

/** Where a scanned string literal sits in its buffer. */
export class StringSpan {
  start = 0;
  length = 0;
  huffman = false;
  /** Decoded length in bytes, set by `decodeString`. */
  byteLength = 0;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();
let scratch = new Uint8Array(1024);

function scratchOf(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Reads the header of a string literal whose H bit is bit `prefixBits - 1` of the first byte.
 * Returns false when the literal is not complete in `c` (then `c.pos` is unchanged); otherwise
 * fills `span` and moves `c.pos` past the string. A string that decodes to more than
 * `maxLength` bytes throws QpackError(`errorCode`), as soon as its length shows it.
 */
export function scanString(c: Cursor, prefixBits: number, maxLength: number, errorCode: number, span: StringSpan): boolean {
  const start = c.pos;
  if (start >= c.end) return false;
  const huffman = (c.buf[start]! & (1 << (prefixBits - 1))) !== 0;
  const length = readPrefixInt(c, prefixBits - 1, errorCode);
  if (length < 0) return false;
  // The shortest possible decoding: 30-bit codes, up to 7 bits of padding (RFC 7541 §5.2).
  const least = huffman ? Math.floor((length * 8 - 7) / 30) : length;
  if (least > maxLength) throw new QpackError(errorCode, `string of ${least}+ bytes above limit ${maxLength}`);
  if (c.end - c.pos < length) {
    c.pos = start;
    return false;
  }
  span.start = c.pos;
  span.length = length;
  span.huffman = huffman;
  c.pos += length;
  return true;
}

/** Decodes a scanned string literal to text, setting `span.byteLength`. */
export function decodeString(buf: Uint8Array, span: StringSpan, maxLength: number, errorCode: number): string {
  if (!span.huffman) {
    span.byteLength = span.length;
    return span.length === 0 ? '' : textDecoder.decode(buf.subarray(span.start, span.start + span.length));
  }
  const out = scratchOf(huffmanMaxDecodedLength(span.length));
  const n = huffmanDecodeInto(buf, span.start, span.start + span.length, out, 0);
  if (n < 0) throw new QpackError(errorCode, 'invalid Huffman-coded string');
  if (n > maxLength) throw new QpackError(errorCode, `string of ${n} bytes above limit ${maxLength}`);
  span.byteLength = n;
  return n === 0 ? '' : textDecoder.decode(out.subarray(0, n));
}

/** UTF-8 bytes of `text` in a shared scratch buffer, valid until the next call. */
export function utf8Scratch(text: string): Uint8Array {
  const out = scratchOf(text.length * 3);
  const { written } = textEncoder.encodeInto(text, out);
  return out.subarray(0, written);
}

/** UTF-8 length of `text` in bytes, without encoding it. */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * Writes `bytes` as a string literal with an N-bit prefix (`prefixBits`), OR-ing `flags` into the
 * bits above it. Huffman is used when `mode` asks for it, or under `auto` when it is shorter.
 */
export function writeString(w: ByteWriter, prefixBits: number, flags: number, bytes: Uint8Array, mode: HuffmanMode): void {
  const hBit = 1 << (prefixBits - 1);
  if (mode !== 'never') {
    const hLength = huffmanEncodedLength(bytes);
    if (mode === 'always' || hLength < bytes.length) {
      w.reserve(prefixIntLength(hLength, prefixBits - 1) + hLength);
      w.pos = writePrefixInt(w.buf, w.pos, prefixBits - 1, flags | hBit, hLength);
      w.pos = huffmanEncodeInto(bytes, 0, bytes.length, w.buf, w.pos);
      return;
    }
  }
  w.reserve(prefixIntLength(bytes.length, prefixBits - 1) + bytes.length);
  w.pos = writePrefixInt(w.buf, w.pos, prefixBits - 1, flags, bytes.length);
  w.buf.set(bytes, w.pos);
  w.pos += bytes.length;
}

/** Writes text as a string literal (see `writeString`). */
export function writeText(w: ByteWriter, prefixBits: number, flags: number, text: string, mode: HuffmanMode): void {
  writeString(w, prefixBits, flags, utf8Scratch(text), mode);
}
