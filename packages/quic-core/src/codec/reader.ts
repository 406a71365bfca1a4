/**
 * A cursor over a Uint8Array. Reads never copy: `bytes(n)` returns a subarray view.
 * Running past the end throws {@link DecodeError}, which decoders convert to their protocol error.
 * @module
 */
import { DecodeError } from '../errors.ts';
import { decodeVarintAt, decodeVarintBigAt, varintLengthFromFirstByte } from './varint.ts';

export class Reader {
  /** Current read position (absolute index into `buf`). */
  pos: number;
  /** One past the last readable byte. */
  readonly end: number;

  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) throw new RangeError('reader bounds out of range');
    this.pos = start;
    this.end = end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** True when nothing is left. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new DecodeError(`truncated ${what}: need ${n} bytes, have ${this.end - this.pos}`);
  }

  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }

  /** Peeks at the next byte without consuming it (-1 at the end). */
  peekU8(): number {
    return this.pos < this.end ? this.buf[this.pos]! : -1;
  }

  u16(): number {
    this.need(2, 'u16');
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u24(): number {
    this.need(3, 'u24');
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(): number {
    this.need(4, 'u32');
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** Reads a big-endian unsigned integer of 1..6 bytes. */
  uint(length: number): number {
    this.need(length, `uint${length * 8}`);
    let value = 0;
    for (let i = 0; i < length; i++) value = value * 256 + this.buf[this.pos + i]!;
    this.pos += length;
    return value;
  }

  /** QUIC varint (RFC 9000 §16); values above 2^53-1 are clamped to it. */
  varint(): number {
    const v = decodeVarintAt(this.buf, this.pos, this.end);
    if (v < 0) throw new DecodeError('truncated varint');
    this.pos += varintLengthFromFirstByte(this.buf[this.pos]!);
    return v;
  }

  /** QUIC varint, exact 62-bit value. */
  varintBig(): bigint {
    const v = decodeVarintBigAt(this.buf, this.pos, this.end);
    if (v < 0n) throw new DecodeError('truncated varint');
    this.pos += varintLengthFromFirstByte(this.buf[this.pos]!);
    return v;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new DecodeError(`invalid length ${n}`);
    this.need(n, 'bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A view of everything left (no copy). */
  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  /** Length-prefixed (1-byte length) bytes. */
  vec8(): Uint8Array {
    return this.bytes(this.u8());
  }

  /** Length-prefixed (2-byte length) bytes. */
  vec16(): Uint8Array {
    return this.bytes(this.u16());
  }

  /** Length-prefixed (3-byte length) bytes. */
  vec24(): Uint8Array {
    return this.bytes(this.u24());
  }

  /** Varint-length-prefixed bytes. */
  vecVarint(): Uint8Array {
    return this.bytes(this.varint());
  }

  skip(n: number): void {
    this.need(n, 'skip');
    this.pos += n;
  }
}
