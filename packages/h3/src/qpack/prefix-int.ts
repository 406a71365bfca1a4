/**
 * Prefixed integers (RFC 7541 §5.1, used unmodified by RFC 9204 §4.1.1): an N-bit prefix in the
 * low bits of the first byte, continued in 7-bit groups (least significant first) when the
 * prefix is saturated. Values are `number`; anything above `Number.MAX_SAFE_INTEGER` (which
 * covers the 62-bit values RFC 9204 §4.1.1 requires up to 2^53-1) is rejected as an overflow.
 * @module
 */
import { QpackError } from '../errors.ts';

/** A read position over `buf[pos..end)`. Readers advance `pos` only when they succeed. */
export interface Cursor {
  buf: Uint8Array;
  pos: number;
  end: number;
}

/** Returned by readers when the input ends before the value does. */
export const NEED_MORE = -1;

/** Largest value a prefixed integer may carry here. */
export const PREFIX_INT_MAX = Number.MAX_SAFE_INTEGER;

/**
 * Reads a prefixed integer whose prefix is the low `prefixBits` bits of `c.buf[c.pos]`.
 * Returns the value and advances `c.pos`, or returns NEED_MORE (leaving `c.pos` alone).
 * Throws QpackError(`errorCode`) when the value exceeds `max` (RFC 9204 §7.4).
 */
export function readPrefixInt(c: Cursor, prefixBits: number, errorCode: number, max = PREFIX_INT_MAX): number {
  const buf = c.buf;
  let p = c.pos;
  if (p >= c.end) return NEED_MORE;
  const mask = (1 << prefixBits) - 1;
  let value = buf[p++]! & mask;
  if (value < mask) {
    if (value > max) throw new QpackError(errorCode, `integer ${value} above limit ${max}`);
    c.pos = p;
    return value;
  }
  let scale = 1;
  for (;;) {
    if (p >= c.end) return NEED_MORE;
    const b = buf[p++]!;
    value += (b & 0x7f) * scale;
    if (value > max) throw new QpackError(errorCode, `integer above limit ${max}`);
    if ((b & 0x80) === 0) break;
    scale *= 128;
    // RFC 7541 §5.1: an encoding with more continuation bytes than any allowed value needs
    // (zero groups padding the end) is refused as well.
    if (scale > 2 ** 56) throw new QpackError(errorCode, 'integer encoding too long');
  }
  c.pos = p;
  return value;
}

/** Number of bytes `value` takes with an N-bit prefix. */
export function prefixIntLength(value: number, prefixBits: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) return 1;
  let rest = value - mask;
  let n = 2;
  while (rest >= 128) {
    rest = Math.floor(rest / 128);
    n++;
  }
  return n;
}

/**
 * Writes `value` with an N-bit prefix at `buf[pos]`, OR-ing `flags` (the bits above the prefix)
 * into the first byte. Returns the position after the integer. The caller sizes `buf`.
 */
export function writePrefixInt(buf: Uint8Array, pos: number, prefixBits: number, flags: number, value: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    buf[pos++] = flags | value;
    return pos;
  }
  buf[pos++] = flags | mask;
  let rest = value - mask;
  while (rest >= 128) {
    buf[pos++] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  buf[pos++] = rest;
  return pos;
}

/** Encodes one prefixed integer into a new array (tests and one-off use). */
export function encodePrefixInt(value: number, prefixBits: number, flags = 0): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a prefixed-integer value: ${value}`);
  if (prefixBits < 1 || prefixBits > 8) throw new RangeError(`prefix must be 1..8 bits: ${prefixBits}`);
  const out = new Uint8Array(prefixIntLength(value, prefixBits));
  writePrefixInt(out, 0, prefixBits, flags, value);
  return out;
}
