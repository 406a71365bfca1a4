/**
 * Buffering for the incremental parsers: a chunk is parsed in place when nothing is pending, and
 * only the unparsed tail (a partial instruction) is copied into a growable buffer for the next
 * chunk. A large instruction fed one byte at a time costs amortized O(1) per byte.
 * @module
 */
import type { Cursor } from './prefix-int.ts';

const EMPTY = new Uint8Array(0);

export class StreamBuffer {
  private buf: Uint8Array = EMPTY;
  private len = 0;
  /** The cursor handed out by `begin`, reused across calls. */
  private readonly cursor: Cursor = { buf: EMPTY, pos: 0, end: 0 };

  /** Bytes held back from earlier chunks. */
  get pending(): number {
    return this.len;
  }

  /** Adds `chunk` after any pending bytes and returns a cursor over all of them. */
  begin(chunk: Uint8Array): Cursor {
    const c = this.cursor;
    if (this.len === 0) {
      c.buf = chunk;
      c.pos = 0;
      c.end = chunk.length;
      return c;
    }
    this.ensure(this.len + chunk.length);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    c.buf = this.buf;
    c.pos = 0;
    c.end = this.len;
    return c;
  }

  /** Keeps the bytes from the cursor's position on (an incomplete instruction) for later. */
  commit(): void {
    const c = this.cursor;
    const rest = c.end - c.pos;
    if (c.buf === this.buf) {
      if (c.pos > 0 && rest > 0) this.buf.copyWithin(0, c.pos, c.end);
      this.len = rest;
    } else if (rest > 0) {
      this.ensure(rest);
      this.buf.set(c.buf.subarray(c.pos, c.end), 0);
      this.len = rest;
    } else {
      this.len = 0;
    }
    c.buf = EMPTY;
    c.pos = 0;
    c.end = 0;
  }

  private ensure(n: number): void {
    if (this.buf.length >= n) return;
    const next = new Uint8Array(Math.max(n, this.buf.length * 2, 64));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
