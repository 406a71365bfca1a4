/**
 * A growable byte buffer for QPACK output: field sections, encoder-stream and decoder-stream
 * instructions. Writers size their output up front (`reserve`) and then write without checks.
 * @module
 */
import { prefixIntLength, writePrefixInt } from './prefix-int.ts';

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = Math.max(64, this.buf.length * 2);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A prefixed integer (RFC 7541 §5.1) with `flags` in the bits above the prefix. */
  prefixInt(prefixBits: number, flags: number, value: number): void {
    this.reserve(prefixIntLength(value, prefixBits));
    this.pos = writePrefixInt(this.buf, this.pos, prefixBits, flags, value);
  }

  /** The bytes written so far, copied out; the writer is emptied for reuse. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  get length(): number {
    return this.pos;
  }
}
