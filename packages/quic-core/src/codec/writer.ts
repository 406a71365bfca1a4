/**
 * An append-only byte writer. By default it grows as needed; `Writer.into(buf)` writes into a
 * caller's buffer and throws RangeError when it is full (the packet builder sizes its buffer to
 * the path MTU and checks space before writing).
 * @module
 */
import { assertVarint, encodeVarintAt, encodeVarintBigAt, varintLength } from './varint.ts';

export class Writer {
  buf: Uint8Array;
  pos = 0;
  private readonly growable: boolean;

  /** A growable writer, or with `fixed`, a writer over that buffer that never grows. */
  constructor(initialCapacity = 256, fixed?: Uint8Array) {
    this.buf = fixed ?? new Uint8Array(initialCapacity);
    this.growable = fixed === undefined;
  }

  /** A writer over a fixed buffer, starting at `offset`. */
  static into(buf: Uint8Array, offset = 0): Writer {
    const w = new Writer(0, buf);
    w.pos = offset;
    return w;
  }

  /** Bytes that can still be written without growing (fixed writers cannot exceed it). */
  get capacityLeft(): number {
    return this.buf.length - this.pos;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    if (!this.growable) throw new RangeError(`writer full: need ${n} bytes, have ${this.buf.length - this.pos}`);
    let size = Math.max(64, this.buf.length * 2);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Big-endian unsigned integer of `length` bytes (1..6). */
  uint(v: number, length: number): this {
    this.ensure(length);
    for (let i = length - 1; i >= 0; i--) {
      this.buf[this.pos + i] = v % 256;
      v = Math.floor(v / 256);
    }
    this.pos += length;
    return this;
  }

  /** QUIC varint, minimal length unless `length` is given. */
  varint(v: number, length?: 1 | 2 | 4 | 8): this {
    assertVarint(v);
    const len = length ?? varintLength(v);
    this.ensure(len);
    this.pos = encodeVarintAt(this.buf, this.pos, v, len);
    return this;
  }

  varintBig(v: bigint, length?: 1 | 2 | 4 | 8): this {
    this.ensure(8);
    this.pos = encodeVarintBigAt(this.buf, this.pos, v, length);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Writes `n` zero bytes. */
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  vec8(b: Uint8Array): this {
    if (b.length > 0xff) throw new RangeError('vec8 too long');
    return this.u8(b.length).bytes(b);
  }

  vec16(b: Uint8Array): this {
    if (b.length > 0xffff) throw new RangeError('vec16 too long');
    return this.u16(b.length).bytes(b);
  }

  vec24(b: Uint8Array): this {
    if (b.length > 0xffffff) throw new RangeError('vec24 too long');
    return this.u24(b.length).bytes(b);
  }

  vecVarint(b: Uint8Array): this {
    return this.varint(b.length).bytes(b);
  }

  /** Reserves `n` bytes to be filled later (e.g. a length field); returns their offset. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** A view of what has been written (no copy). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of what has been written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
