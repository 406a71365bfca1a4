/**
 * QUIC variable-length integers (RFC 9000 §16).
 *
 * One representation is used across the stack: a JavaScript `number`. Values up to 2^53-1 are
 * exact. A peer may legitimately send larger values (up to 2^62-1), but only for limits and codes
 * where "practically unlimited" is the meaning, so {@link decodeVarintAt} clamps anything above
 * `Number.MAX_SAFE_INTEGER` to it. Use the `*Big` variants where the exact 62-bit value matters.
 * @module
 */

/** Largest value a varint can carry: 2^62 - 1 (RFC 9000 §16). */
export const VARINT_MAX_BIG = (1n << 62n) - 1n;
/** Largest varint value the `number` API accepts for encoding. */
export const VARINT_MAX = Number.MAX_SAFE_INTEGER;

/** Number of bytes the minimal encoding of `value` takes (1, 2, 4 or 8). */
export function varintLength(value: number): 1 | 2 | 4 | 8 {
  if (value < 0x40) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x40000000) return 4;
  return 8;
}

/** Length in bytes announced by the two high bits of a varint's first byte. */
export function varintLengthFromFirstByte(firstByte: number): 1 | 2 | 4 | 8 {
  return (1 << (firstByte >> 6)) as 1 | 2 | 4 | 8;
}

/** Throws RangeError unless `value` is an integer the `number` varint API can encode. */
export function assertVarint(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`not a varint value: ${value}`);
  }
}

/**
 * Writes `value` at `offset` using exactly `length` bytes (which must be large enough) and returns
 * the offset after it. A non-minimal length is allowed (RFC 9000 §16 permits it), which the packet
 * builder uses for the Length field it patches in later.
 */
export function encodeVarintAt(buf: Uint8Array, offset: number, value: number, length: 1 | 2 | 4 | 8 = varintLength(value)): number {
  switch (length) {
    case 1:
      if (value >= 0x40) throw new RangeError(`varint ${value} does not fit in 1 byte`);
      buf[offset] = value;
      return offset + 1;
    case 2:
      if (value >= 0x4000) throw new RangeError(`varint ${value} does not fit in 2 bytes`);
      buf[offset] = 0x40 | (value >>> 8);
      buf[offset + 1] = value & 0xff;
      return offset + 2;
    case 4:
      if (value >= 0x40000000) throw new RangeError(`varint ${value} does not fit in 4 bytes`);
      buf[offset] = 0x80 | (value >>> 24);
      buf[offset + 1] = (value >>> 16) & 0xff;
      buf[offset + 2] = (value >>> 8) & 0xff;
      buf[offset + 3] = value & 0xff;
      return offset + 4;
    case 8: {
      const high = Math.floor(value / 0x100000000);
      const low = value >>> 0;
      buf[offset] = 0xc0 | (high >>> 24);
      buf[offset + 1] = (high >>> 16) & 0xff;
      buf[offset + 2] = (high >>> 8) & 0xff;
      buf[offset + 3] = high & 0xff;
      buf[offset + 4] = low >>> 24;
      buf[offset + 5] = (low >>> 16) & 0xff;
      buf[offset + 6] = (low >>> 8) & 0xff;
      buf[offset + 7] = low & 0xff;
      return offset + 8;
    }
  }
}

/**
 * Decodes the varint at `offset`. Returns the value (clamped to `Number.MAX_SAFE_INTEGER`) or -1
 * if the buffer ends before the varint does; the caller turns -1 into its own error.
 */
export function decodeVarintAt(buf: Uint8Array, offset: number, end: number = buf.length): number {
  if (offset >= end) return -1;
  const first = buf[offset]!;
  const length = varintLengthFromFirstByte(first);
  if (offset + length > end) return -1;
  switch (length) {
    case 1:
      return first;
    case 2:
      return ((first & 0x3f) << 8) | buf[offset + 1]!;
    case 4:
      return ((first & 0x3f) * 0x1000000) + ((buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!);
    default: {
      const high = ((first & 0x3f) * 0x1000000) + ((buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!);
      if (high >= 0x200000) return Number.MAX_SAFE_INTEGER; // value >= 2^53: clamp
      const low = ((buf[offset + 4]! << 24) | (buf[offset + 5]! << 16) | (buf[offset + 6]! << 8) | buf[offset + 7]!) >>> 0;
      return high * 0x100000000 + low;
    }
  }
}

/** Exact 62-bit decode. Returns -1n if the buffer is too short. */
export function decodeVarintBigAt(buf: Uint8Array, offset: number, end: number = buf.length): bigint {
  if (offset >= end) return -1n;
  const length = varintLengthFromFirstByte(buf[offset]!);
  if (offset + length > end) return -1n;
  let value = BigInt(buf[offset]! & 0x3f);
  for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(buf[offset + i]!);
  return value;
}

/** Exact 62-bit encode of a bigint (minimal length unless `length` is given). */
export function encodeVarintBigAt(buf: Uint8Array, offset: number, value: bigint, length?: 1 | 2 | 4 | 8): number {
  if (value < 0n || value > VARINT_MAX_BIG) throw new RangeError(`not a varint value: ${value}`);
  const minimal = value < 0x40n ? 1 : value < 0x4000n ? 2 : value < 0x40000000n ? 4 : 8;
  const len = length ?? minimal;
  if (len < minimal) throw new RangeError(`varint ${value} does not fit in ${len} bytes`);
  let v = value;
  for (let i = len - 1; i >= 0; i--) {
    buf[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  buf[offset] = buf[offset]! | ((31 - Math.clz32(len)) << 6);
  return offset + len;
}
