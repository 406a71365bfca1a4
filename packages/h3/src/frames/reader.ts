/**
 * An incremental HTTP/3 frame reader (RFC 9114 §7.1). Input arrives in pieces of any size (one
 * byte at a time included); the reader returns what became complete. DATA payloads are streamed
 * as they arrive, never buffered whole; other known frames are buffered up to a size limit, so a
 * peer cannot make us hold a huge HEADERS or SETTINGS frame; reserved and unknown frame types
 * are skipped without buffering (RFC 9114 §9).
 * @module
 */
import { H3Error, H3ErrorCode } from '../errors.ts';
import { VarintAccumulator } from '../varint-accumulator.ts';
import { decodeH3FramePayload } from './codec.ts';
import { type H3Frame, H3FrameType, H3_HTTP2_FRAME_TYPES, h3FrameTypeName } from './types.ts';

/** One thing the reader produced. */
export type H3FrameReaderItem =
  /** A complete frame other than DATA (HEADERS, SETTINGS, GOAWAY, ...). */
  | { readonly kind: 'frame'; readonly frame: Exclude<H3Frame, { kind: 'data' | 'unknown' }> }
  /**
   * A piece of a DATA frame's payload (a view into the input chunk: copy it to keep it past the
   * call). `end` marks the frame's last piece; an empty DATA frame gives one empty piece.
   */
  | { readonly kind: 'data'; readonly data: Uint8Array; readonly end: boolean }
  /** The header of a frame whose payload is skipped (reserved/GREASE or unknown type). */
  | { readonly kind: 'skipped'; readonly type: number; readonly length: number };

export interface H3FrameReaderOptions {
  /** Largest HEADERS or PUSH_PROMISE payload buffered (default 64 KiB + 64). */
  readonly maxFieldSectionFrame?: number;
  /** Largest SETTINGS payload buffered (default 16 KiB). */
  readonly maxSettingsFrame?: number;
  /**
   * Called when a frame's Type and Length are known, before its payload is read: the place to
   * reject frames not allowed on the stream (it throws). HTTP/2 frame types never get here.
   */
  readonly onFrameStart?: (type: number, length: number) => void;
}

const enum State {
  TYPE,
  LENGTH,
  PAYLOAD,
  DATA,
  SKIP,
}

const EMPTY = new Uint8Array(0);

/** Frames whose payload is a single varint (at most 8 bytes, RFC 9000 §16). */
const SINGLE_VARINT: ReadonlySet<number> = new Set([H3FrameType.CANCEL_PUSH, H3FrameType.GOAWAY, H3FrameType.MAX_PUSH_ID]);

export class H3FrameReader {
  private state = State.TYPE;
  private readonly varint = new VarintAccumulator();
  private type = 0;
  private remaining = 0;
  private payload = EMPTY;
  private filled = 0;
  private readonly maxFieldSectionFrame: number;
  private readonly maxSettingsFrame: number;
  private readonly onFrameStart: ((type: number, length: number) => void) | undefined;

  constructor(options: H3FrameReaderOptions = {}) {
    this.maxFieldSectionFrame = options.maxFieldSectionFrame ?? 65536 + 64;
    this.maxSettingsFrame = options.maxSettingsFrame ?? 16384;
    this.onFrameStart = options.onFrameStart;
  }

  /**
   * Whether the input so far ends exactly at a frame boundary. A stream that ends cleanly
   * anywhere else carried a truncated frame: H3_FRAME_ERROR (RFC 9114 §7.1).
   */
  get atFrameBoundary(): boolean {
    return this.state === State.TYPE && !this.varint.partial;
  }

  /** Throws H3_FRAME_ERROR unless the input ended at a frame boundary (call it on FIN). */
  finish(): void {
    if (!this.atFrameBoundary) {
      throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, `stream ended inside a ${h3FrameTypeName(this.type)} frame`);
    }
  }

  /** Feeds the next piece of the stream; returns the items it completed, in order. */
  push(chunk: Uint8Array): H3FrameReaderItem[] {
    const out: H3FrameReaderItem[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case State.TYPE: {
          const r = this.varint.feed(chunk, pos);
          pos = r.pos;
          if (r.value < 0) return out;
          // RFC 9114 §7.2.8: HTTP/2 frame types are an error on sight.
          if (H3_HTTP2_FRAME_TYPES.has(r.value)) {
            throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, `HTTP/2 frame type 0x${r.value.toString(16)} in HTTP/3`);
          }
          this.type = r.value;
          this.state = State.LENGTH;
          break;
        }
        case State.LENGTH: {
          const r = this.varint.feed(chunk, pos);
          pos = r.pos;
          if (r.value < 0) return out;
          this.begin(r.value, out);
          break;
        }
        case State.PAYLOAD: {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.payload.set(chunk.subarray(pos, pos + n), this.filled);
          this.filled += n;
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.complete(out);
          break;
        }
        case State.DATA: {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.remaining -= n;
          out.push({ kind: 'data', data: chunk.subarray(pos, pos + n), end: this.remaining === 0 });
          pos += n;
          if (this.remaining === 0) this.state = State.TYPE;
          break;
        }
        case State.SKIP: {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = State.TYPE;
          break;
        }
      }
    }
    return out;
  }

  private begin(length: number, out: H3FrameReaderItem[]): void {
    const type = this.type;
    this.onFrameStart?.(type, length);
    this.remaining = length;
    this.state = State.TYPE;
    switch (type) {
      case H3FrameType.DATA:
        if (length === 0) out.push({ kind: 'data', data: EMPTY, end: true });
        else this.state = State.DATA;
        return;
      case H3FrameType.HEADERS:
      case H3FrameType.PUSH_PROMISE:
        // RFC 9114 §4.2.2, §10.5: we bound what a peer can make us buffer.
        if (length > this.maxFieldSectionFrame) {
          throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, `${h3FrameTypeName(type)} frame of ${length} bytes exceeds ${this.maxFieldSectionFrame}`, 'stream');
        }
        break;
      case H3FrameType.SETTINGS:
        if (length > this.maxSettingsFrame) {
          throw new H3Error(H3ErrorCode.H3_EXCESSIVE_LOAD, `SETTINGS frame of ${length} bytes exceeds ${this.maxSettingsFrame}`);
        }
        break;
      default:
        if (SINGLE_VARINT.has(type)) {
          // RFC 9114 §7.1: the payload must be exactly one varint.
          if (length === 0 || length > 8) throw new H3Error(H3ErrorCode.H3_FRAME_ERROR, `${h3FrameTypeName(type)} frame with a ${length}-byte payload`);
          break;
        }
        out.push({ kind: 'skipped', type, length });
        if (length > 0) this.state = State.SKIP;
        return;
    }
    this.payload = length === 0 ? EMPTY : new Uint8Array(length);
    this.filled = 0;
    if (length === 0) this.complete(out);
    else this.state = State.PAYLOAD;
  }

  private complete(out: H3FrameReaderItem[]): void {
    const frame = decodeH3FramePayload(this.type, this.payload);
    this.payload = EMPTY;
    this.state = State.TYPE;
    out.push({ kind: 'frame', frame: frame as Exclude<H3Frame, { kind: 'data' | 'unknown' }> });
  }
}
