/**
 * An incremental QUIC varint (RFC 9000 §16) reader for stream parsers that receive their input in
 * arbitrary pieces: bytes are fed one chunk at a time and the value is complete once the length
 * announced by the first byte has arrived. Values above 2^53-1 clamp, as everywhere in the stack.
 * @module
 */
import { decodeVarintAt, varintLengthFromFirstByte } from '@quicts/quic-core';

export class VarintAccumulator {
  private readonly buf = new Uint8Array(8);
  private have = 0;
  private need = 0;

  /** Whether some but not all bytes of a varint have been fed. */
  get partial(): boolean {
    return this.have > 0;
  }

  /**
   * Consumes bytes of `chunk` from `pos` up to the end of the varint. Returns the new position
   * and the value, or -1 as value when the chunk ended first (the bytes are kept).
   */
  feed(chunk: Uint8Array, pos: number): { pos: number; value: number } {
    if (this.have === 0) {
      if (pos >= chunk.length) return { pos, value: -1 };
      const len = varintLengthFromFirstByte(chunk[pos]!);
      // Fast path: the whole varint is in this chunk.
      if (pos + len <= chunk.length) return { pos: pos + len, value: decodeVarintAt(chunk, pos) };
      this.need = len;
    }
    while (this.have < this.need && pos < chunk.length) this.buf[this.have++] = chunk[pos++]!;
    if (this.have < this.need) return { pos, value: -1 };
    const value = decodeVarintAt(this.buf, 0, this.need);
    this.have = 0;
    this.need = 0;
    return { pos, value };
  }
}
