/**
 * The receive side of a byte sequence (STREAM data, RFC 9000 §2.2; CRYPTO data, §19.6): frames
 * arrive out of order, overlapping and duplicated; the application reads contiguous bytes.
 *
 * Pieces are kept as views of the received frames and never copied, except that a piece much
 * smaller than the buffer it views is copied out, so a peer cannot make us hold whole packets
 * for a few bytes each. Overlaps keep the bytes already held (RFC 9000 §2.2 allows either).
 *
 * The bound: data ending beyond `readOffset + limit` is refused with a TransportError (the code
 * is the caller's: FLOW_CONTROL_ERROR for streams, whose flow control catches it first;
 * CRYPTO_BUFFER_EXCEEDED for CRYPTO, §7.5). Final size rules are those of §4.5.
 * @module
 */
import { TransportError, TransportErrorCode } from '../errors.ts';

interface Piece {
  offset: number;
  data: Uint8Array;
}

/** A piece smaller than 1/COPY_RATIO of its underlying buffer is copied out when stored. */
const COPY_RATIO = 4;

export interface ReassemblerOptions {
  /** Error code for data beyond the bound; FLOW_CONTROL_ERROR by default. */
  limitErrorCode?: number;
}

export class Reassembler {
  /** Most bytes above the read offset that may be accepted. */
  readonly limit: number;
  readonly #limitErrorCode: number;
  /** Sorted, disjoint, all at or above #readOffset. */
  #pieces: Array<Piece | undefined> = [];
  /** Index of the first unread piece: reads advance it instead of shifting the array. */
  #head = 0;
  #readOffset = 0;
  #highest = 0;
  #buffered = 0;
  #finalSize: number | undefined;
  #discarding = false;

  constructor(limit: number, options: ReassemblerOptions = {}) {
    if (!(limit >= 0)) throw new RangeError(`invalid reassembly limit ${limit}`);
    this.limit = limit;
    this.#limitErrorCode = options.limitErrorCode ?? TransportErrorCode.FLOW_CONTROL_ERROR;
  }

  /** Bytes delivered to the application (or discarded) so far. */
  get readOffset(): number {
    return this.#readOffset;
  }

  /** Highest end offset of any data received. */
  get highestOffset(): number {
    return this.#highest;
  }

  /** Bytes held, waiting to be read. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** The final size, once known (FIN or RESET_STREAM). */
  get finalSize(): number | undefined {
    return this.#finalSize;
  }

  /** True when the application can read something now. */
  get hasReadable(): boolean {
    const p = this.#pieces[this.#head];
    return p !== undefined && p.offset === this.#readOffset && p.data.length > 0;
  }

  /** Bytes readable contiguously from the read offset. */
  get readableBytes(): number {
    let end = this.#readOffset;
    for (let i = this.#head; i < this.#pieces.length; i++) {
      const p = this.#pieces[i]!;
      if (p.offset !== end) break;
      end += p.data.length;
    }
    return end - this.#readOffset;
  }

  /** True when the final size is known and every byte up to it has been received. */
  get isComplete(): boolean {
    return this.#finalSize !== undefined && this.#readOffset + this.readableBytes === this.#finalSize;
  }

  /** True when the final size is known and every byte has been read. */
  get isFinished(): boolean {
    return this.#finalSize !== undefined && this.#readOffset === this.#finalSize;
  }

  /**
   * Takes `data` at `offset` (with `fin`, the end of the stream). Throws FINAL_SIZE_ERROR when
   * the frame contradicts the final size (RFC 9000 §4.5) and the limit error when it ends beyond
   * the bound.
   */
  insert(offset: number, data: Uint8Array, fin = false, frameType = 0): void {
    const end = offset + data.length;
    this.#checkFinalSize(end, fin, frameType);
    if (end > this.#readOffset + this.limit && !this.#discarding) {
      throw new TransportError(this.#limitErrorCode, `data up to ${end} exceeds the buffer limit`, frameType);
    }
    if (end > this.#highest) this.#highest = end;
    if (this.#discarding) {
      if (end > this.#readOffset) this.#readOffset = end;
      return;
    }
    if (end <= this.#readOffset || data.length === 0) return;
    if (offset < this.#readOffset) {
      data = data.subarray(this.#readOffset - offset);
      offset = this.#readOffset;
    }
    this.#store(offset, data);
  }

  /** Records a final size from a RESET_STREAM frame (RFC 9000 §4.5 checks apply). */
  setFinalSize(size: number, frameType = 0): void {
    if (this.#finalSize !== undefined && this.#finalSize !== size) {
      throw new TransportError(TransportErrorCode.FINAL_SIZE_ERROR, `final size changed from ${this.#finalSize} to ${size}`, frameType);
    }
    if (size < this.#highest) {
      throw new TransportError(TransportErrorCode.FINAL_SIZE_ERROR, `final size ${size} below received data ${this.#highest}`, frameType);
    }
    this.#finalSize = size;
  }

  /** The next contiguous bytes (at most `maxBytes`), as a view; null when none are ready. */
  read(maxBytes = Infinity): Uint8Array | null {
    const p = this.#pieces[this.#head];
    if (p === undefined || p.offset !== this.#readOffset || maxBytes <= 0) return null;
    let out: Uint8Array;
    if (p.data.length <= maxBytes) {
      out = p.data;
      this.#pieces[this.#head++] = undefined;
      if (this.#head === this.#pieces.length) {
        this.#pieces = [];
        this.#head = 0;
      } else if (this.#head > 64 && this.#head * 2 > this.#pieces.length) {
        this.#pieces.splice(0, this.#head);
        this.#head = 0;
      }
    } else {
      out = p.data.subarray(0, maxBytes);
      p.data = p.data.subarray(maxBytes);
      p.offset += maxBytes;
    }
    this.#readOffset += out.length;
    this.#buffered -= out.length;
    return out;
  }

  /**
   * Drops everything held and everything that arrives later (the stream was reset, or the
   * application stopped reading). The read offset jumps to the highest offset seen, or the final
   * size, so flow-control credit for discarded data can be returned. Returns the bytes dropped.
   */
  discard(): number {
    const dropped = this.#buffered;
    this.#pieces = [];
    this.#head = 0;
    this.#buffered = 0;
    this.#discarding = true;
    this.#readOffset = Math.max(this.#readOffset, this.#highest, this.#finalSize ?? 0);
    return dropped;
  }

  get discarding(): boolean {
    return this.#discarding;
  }

  #checkFinalSize(end: number, fin: boolean, frameType: number): void {
    const known = this.#finalSize;
    if (known !== undefined) {
      // RFC 9000 §4.5: no data at or beyond the final size, and the final size never changes.
      if (end > known || (fin && end !== known)) {
        throw new TransportError(TransportErrorCode.FINAL_SIZE_ERROR, `data up to ${end}${fin ? ' with FIN' : ''} contradicts final size ${known}`, frameType);
      }
    } else if (fin) {
      if (end < this.#highest) {
        throw new TransportError(TransportErrorCode.FINAL_SIZE_ERROR, `FIN at ${end} below received data ${this.#highest}`, frameType);
      }
      this.#finalSize = end;
    }
  }

  /** Stores the parts of `[offset, offset + data.length)` not already held. */
  #store(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    const pieces = this.#pieces;
    // First piece ending after `offset`.
    let lo = this.#head;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = pieces[mid]!;
      if (p.offset + p.data.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    const view = (s: number, e: number): Uint8Array => (s === offset && e === end ? data : data.subarray(s - offset, e - offset));
    const added: Piece[] = [];
    let cur = offset;
    let i = lo;
    for (; i < pieces.length && cur < end; i++) {
      const p = pieces[i]!;
      if (p.offset >= end) break;
      if (p.offset > cur) added.push(this.#piece(cur, view(cur, p.offset)));
      cur = Math.max(cur, p.offset + p.data.length);
    }
    if (cur < end) added.push(this.#piece(cur, view(cur, end)));
    if (added.length === 0) return;
    // Pieces in [lo, i) are kept; the new ones interleave with them.
    const merged: Array<Piece | undefined> = [];
    let a = 0;
    for (let k = lo; k < i; k++) {
      while (a < added.length && added[a]!.offset < pieces[k]!.offset) merged.push(added[a++]!);
      merged.push(pieces[k]!);
    }
    while (a < added.length) merged.push(added[a++]!);
    pieces.splice(lo, i - lo, ...merged);
  }

  #piece(offset: number, data: Uint8Array): Piece {
    this.#buffered += data.length;
    if (data.length * COPY_RATIO < data.buffer.byteLength) data = data.slice();
    return { offset, data };
  }
}
