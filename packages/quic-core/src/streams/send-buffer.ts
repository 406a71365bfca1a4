/**
 * The send side of one stream's byte sequence (RFC 9000 §2.2, §13.3): data the application wrote,
 * handed out by offset for sending, kept until acknowledged, and handed out again when lost.
 *
 * The buffer never copies: it keeps the application's arrays (ownership passes to the stream on
 * write) and hands out `subarray` views; the only copy is the packet builder's into the packet.
 * Memory is released a whole write at a time once everything below it is acknowledged.
 *
 * Offsets: `acked` (everything below is acknowledged), `sent` (high-water mark of data handed out
 * at least once; new data starts here), `written` (end of all data). Lost ranges lie in
 * `[acked, sent)` and are handed out before new data (RFC 9000 §13.3: lost data is sent again in
 * new frames, not by resending packets).
 * @module
 */
import { ByteRanges } from './range-set.ts';

/** One piece of stream data to put in a STREAM frame. */
export interface SendChunk {
  offset: number;
  length: number;
  /** The frame carries the FIN bit. */
  fin: boolean;
  /** The bytes: views of the written arrays, more than one when the range spans writes. */
  data: Uint8Array[];
  /** Bytes sent for the first time; they use flow-control credit. 0 for a retransmission. */
  newBytes: number;
}

type FinState = 'none' | 'written' | 'sent' | 'lost' | 'acked';

export class SendBuffer {
  readonly maxBuffered: number;
  readonly #chunks: Array<Uint8Array | undefined> = [];
  readonly #starts: number[] = [];
  #head = 0;
  #acked = 0;
  #sent = 0;
  #written = 0;
  readonly #lost = new ByteRanges();
  readonly #ackedAbove = new ByteRanges();
  #fin: FinState = 'none';

  /** `maxBuffered`: most bytes held at once (written but not yet acknowledged). */
  constructor(maxBuffered: number) {
    if (!(maxBuffered >= 0)) throw new RangeError(`invalid send buffer size ${maxBuffered}`);
    this.maxBuffered = maxBuffered;
  }

  /** End offset of all written data (the final size once finished). */
  get writtenOffset(): number {
    return this.#written;
  }

  /** High-water mark of data handed out for sending (the flow-control credit used). */
  get sentOffset(): number {
    return this.#sent;
  }

  /** Everything below this offset is acknowledged. */
  get ackedOffset(): number {
    return this.#acked;
  }

  /** Bytes held: written but not acknowledged contiguously. */
  get bufferedBytes(): number {
    return this.#written - this.#acked;
  }

  /** Room for more writes. */
  get room(): number {
    return Math.max(0, this.maxBuffered - this.bufferedBytes);
  }

  /** Written bytes never handed out. */
  get unsentBytes(): number {
    return this.#written - this.#sent;
  }

  /** The application finished the stream (no more writes). */
  get finished(): boolean {
    return this.#fin !== 'none';
  }

  /** True when lost data or a lost FIN waits to be sent again. */
  get hasRetransmit(): boolean {
    return !this.#lost.isEmpty || this.#fin === 'lost';
  }

  /** True when only a FIN (no data) waits to be sent for the first time. */
  get hasFinOnly(): boolean {
    return this.#fin === 'written' && this.#sent === this.#written;
  }

  /** True when every byte and the FIN are acknowledged. */
  get allAcked(): boolean {
    return this.#fin === 'acked' && this.#acked === this.#written;
  }

  /** Lost ranges waiting to be sent again (for tests and diagnostics). */
  lostRanges(): Array<[number, number]> {
    return this.#lost.toArray();
  }

  /**
   * Appends as much of `data` as fits and returns how many bytes were taken; the caller keeps
   * the rest. The buffer keeps a reference to `data`: the caller must not modify it afterwards.
   */
  write(data: Uint8Array): number {
    if (this.#fin !== 'none') throw new RangeError('write after finish');
    const n = Math.min(data.length, this.room);
    if (n === 0) return 0;
    this.#chunks.push(n === data.length ? data : data.subarray(0, n));
    this.#starts.push(this.#written);
    this.#written += n;
    return n;
  }

  /** Marks the end of the stream: the FIN goes with the last byte, or alone if all data is sent. */
  finish(): void {
    if (this.#fin === 'none') this.#fin = 'written';
  }

  /** The offset the next chunk would start at, or undefined when there is nothing to send. */
  peekOffset(newLimit = Infinity): number | undefined {
    const lost = this.#lost.first();
    if (lost !== undefined) return lost[0];
    if (this.#fin === 'lost') return this.#written;
    if (this.#sent < this.#written) return newLimit > 0 ? this.#sent : undefined;
    if (this.#fin === 'written') return this.#written;
    return undefined;
  }

  /**
   * The next chunk of at most `maxBytes` bytes: lost data first, then new data (at most
   * `newLimit` new bytes, the flow-control credit), then a lone FIN. Null when nothing can go.
   */
  nextChunk(maxBytes: number, newLimit = Infinity): SendChunk | null {
    const lost = this.#lost.first();
    if (lost !== undefined) {
      const [start, end] = lost;
      const len = Math.min(end - start, maxBytes);
      if (len <= 0) return null;
      this.#lost.remove(start, start + len);
      return this.#chunk(start, len, 0);
    }
    if (this.#sent < this.#written) {
      const len = Math.min(this.#written - this.#sent, maxBytes, newLimit);
      if (len <= 0) return null;
      const start = this.#sent;
      this.#sent += len;
      return this.#chunk(start, len, len);
    }
    if (this.#fin === 'written' || this.#fin === 'lost') return this.#chunk(this.#written, 0, 0);
    return null;
  }

  /** The chunk `[offset, offset + length)` was acknowledged (with the FIN when `fin`). */
  onAcked(offset: number, length: number, fin: boolean): void {
    if (fin) this.#fin = 'acked';
    const end = offset + length;
    if (end <= this.#acked) return;
    const start = Math.max(offset, this.#acked);
    this.#lost.remove(start, end);
    if (start > this.#acked) {
      this.#ackedAbove.add(start, end);
      return;
    }
    this.#acked = end;
    for (let r = this.#ackedAbove.first(); r !== undefined && r[0] <= this.#acked; r = this.#ackedAbove.first()) {
      this.#acked = Math.max(this.#acked, r[1]);
      this.#ackedAbove.remove(r[0], r[1]);
    }
    this.#release();
  }

  /** The chunk `[offset, offset + length)` was lost: its unacknowledged parts are sent again. */
  onLost(offset: number, length: number, fin: boolean): void {
    if (fin && this.#fin === 'sent') this.#fin = 'lost';
    const start = Math.max(offset, this.#acked);
    const end = Math.min(offset + length, this.#sent);
    if (end <= start) return;
    this.#ackedAbove.forEachGap(start, end, (s, e) => this.#lost.add(s, e));
  }

  /** Drops all data (the stream was reset); returns the bytes released. */
  clear(): number {
    const released = this.bufferedBytes;
    this.#chunks.length = 0;
    this.#starts.length = 0;
    this.#head = 0;
    this.#acked = this.#written;
    this.#sent = this.#written;
    this.#lost.remove(0, Infinity);
    this.#ackedAbove.remove(0, Infinity);
    return released;
  }

  #chunk(offset: number, length: number, newBytes: number): SendChunk {
    const fin = (this.#fin === 'written' || this.#fin === 'lost') && offset + length === this.#written &&
      this.#sent === this.#written;
    if (fin) this.#fin = 'sent';
    return { offset, length, fin, data: length === 0 ? [] : this.#views(offset, offset + length), newBytes };
  }

  /** Views of `[start, end)`, which lies within `[acked, written)`. */
  #views(start: number, end: number): Uint8Array[] {
    let lo = this.#head;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    const out: Uint8Array[] = [];
    for (let i = lo; i < this.#starts.length; i++) {
      const cs = this.#starts[i]!;
      if (cs >= end) break;
      const chunk = this.#chunks[i]!;
      const from = Math.max(start, cs) - cs;
      const to = Math.min(end, cs + chunk.length) - cs;
      out.push(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
    }
    return out;
  }

  /** Forgets writes that lie wholly below `acked`. */
  #release(): void {
    while (this.#head < this.#starts.length && this.#starts[this.#head]! + this.#chunks[this.#head]!.length <= this.#acked) {
      this.#chunks[this.#head] = undefined;
      this.#head++;
    }
    if (this.#head > 64 && this.#head * 2 > this.#starts.length) {
      this.#chunks.splice(0, this.#head);
      this.#starts.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
