/**
 * Encoder-stream instructions (RFC 9204 §4.3) and decoder-stream instructions (§4.4): writers,
 * and incremental parsers that take any chunking of the stream (down to one byte at a time),
 * return every instruction the chunk completes and keep a partial one buffered.
 * @module
 */
import { QpackError, QpackErrorCode } from '../errors.ts';
import { ByteWriter } from './byte-writer.ts';
import { type Cursor, NEED_MORE, readPrefixInt } from './prefix-int.ts';
import { STATIC_TABLE_LENGTH } from './static-table.ts';
import { StreamBuffer } from './stream-buffer.ts';
import { decodeString, type HuffmanMode, scanString, StringSpan, writeText } from './string-literal.ts';

const ENCODER_ERROR = QpackErrorCode.QPACK_ENCODER_STREAM_ERROR;
const DECODER_ERROR = QpackErrorCode.QPACK_DECODER_STREAM_ERROR;

/** An encoder-stream instruction. Parsed strings carry their size in wire bytes. */
export type EncoderInstruction =
  /** §4.3.1 Set Dynamic Table Capacity */
  | { readonly kind: 'set-capacity'; readonly capacity: number }
  /** §4.3.2 Insert with Name Reference (static index, or dynamic index relative to the insert point) */
  | { readonly kind: 'insert-name-ref'; readonly isStatic: boolean; readonly index: number; readonly value: string; readonly valueSize?: number }
  /** §4.3.3 Insert with Literal Name */
  | { readonly kind: 'insert-literal'; readonly name: string; readonly value: string; readonly nameSize?: number; readonly valueSize?: number }
  /** §4.3.4 Duplicate (index relative to the insert point) */
  | { readonly kind: 'duplicate'; readonly index: number };

/** A decoder-stream instruction. */
export type DecoderInstruction =
  /** §4.4.1 Section Acknowledgment */
  | { readonly kind: 'section-ack'; readonly streamId: number }
  /** §4.4.2 Stream Cancellation */
  | { readonly kind: 'stream-cancel'; readonly streamId: number }
  /** §4.4.3 Insert Count Increment */
  | { readonly kind: 'insert-count-increment'; readonly increment: number };

/** Appends an encoder instruction to `w`. */
export function writeEncoderInstruction(w: ByteWriter, ins: EncoderInstruction, huffman: HuffmanMode = 'auto'): void {
  switch (ins.kind) {
    case 'set-capacity':
      w.prefixInt(5, 0x20, ins.capacity);
      return;
    case 'insert-name-ref':
      w.prefixInt(6, ins.isStatic ? 0xc0 : 0x80, ins.index);
      writeText(w, 8, 0, ins.value, huffman);
      return;
    case 'insert-literal':
      writeText(w, 6, 0x40, ins.name, huffman);
      writeText(w, 8, 0, ins.value, huffman);
      return;
    case 'duplicate':
      w.prefixInt(5, 0x00, ins.index);
      return;
  }
}

/** Appends a decoder instruction to `w`. */
export function writeDecoderInstruction(w: ByteWriter, ins: DecoderInstruction): void {
  switch (ins.kind) {
    case 'section-ack':
      w.prefixInt(7, 0x80, ins.streamId);
      return;
    case 'stream-cancel':
      w.prefixInt(6, 0x40, ins.streamId);
      return;
    case 'insert-count-increment':
      w.prefixInt(6, 0x00, ins.increment);
      return;
  }
}

/** One encoder instruction as bytes. */
export function encodeEncoderInstruction(ins: EncoderInstruction, huffman: HuffmanMode = 'auto'): Uint8Array {
  const w = new ByteWriter();
  writeEncoderInstruction(w, ins, huffman);
  return w.take();
}

/** One decoder instruction as bytes. */
export function encodeDecoderInstruction(ins: DecoderInstruction): Uint8Array {
  const w = new ByteWriter(8);
  writeDecoderInstruction(w, ins);
  return w.take();
}

/**
 * Incremental parser of the encoder stream. Strings longer than `maxString` bytes (no entry can
 * exceed the maximum table capacity) are refused as soon as their length is known, so a peer
 * cannot make the parser buffer more than that. Errors are QPACK_ENCODER_STREAM_ERROR.
 */
export class EncoderStreamParser {
  private readonly input = new StreamBuffer();
  private readonly nameSpan = new StringSpan();
  private readonly valueSpan = new StringSpan();

  constructor(private readonly maxString: number) {}

  /** Bytes of an incomplete instruction held back. */
  get pending(): number {
    return this.input.pending;
  }

  /** Returns the instructions completed by `chunk`. */
  push(chunk: Uint8Array): EncoderInstruction[] {
    const c = this.input.begin(chunk);
    const out: EncoderInstruction[] = [];
    for (;;) {
      const ins = this.next(c);
      if (ins === null) break;
      out.push(ins);
    }
    this.input.commit();
    return out;
  }

  private next(c: Cursor): EncoderInstruction | null {
    const start = c.pos;
    if (start >= c.end) return null;
    const first = c.buf[start]!;
    const max = this.maxString;
    if (first & 0x80) {
      // 1Txxxxxx: Insert with Name Reference (§4.3.2)
      const index = readPrefixInt(c, 6, ENCODER_ERROR);
      if (index === NEED_MORE) return null;
      // RFC 9204 §3.1: refuse a bad static index at once, before buffering the value.
      if (first & 0x40 && index >= STATIC_TABLE_LENGTH) throw new QpackError(ENCODER_ERROR, `static index ${index} out of range`);
      if (!scanString(c, 8, max, ENCODER_ERROR, this.valueSpan)) {
        c.pos = start;
        return null;
      }
      const value = decodeString(c.buf, this.valueSpan, max, ENCODER_ERROR);
      return { kind: 'insert-name-ref', isStatic: (first & 0x40) !== 0, index, value, valueSize: this.valueSpan.byteLength };
    }
    if (first & 0x40) {
      // 01Hxxxxx: Insert with Literal Name (§4.3.3)
      if (!scanString(c, 6, max, ENCODER_ERROR, this.nameSpan) || !scanString(c, 8, max, ENCODER_ERROR, this.valueSpan)) {
        c.pos = start;
        return null;
      }
      const name = decodeString(c.buf, this.nameSpan, max, ENCODER_ERROR);
      const value = decodeString(c.buf, this.valueSpan, max, ENCODER_ERROR);
      return { kind: 'insert-literal', name, value, nameSize: this.nameSpan.byteLength, valueSize: this.valueSpan.byteLength };
    }
    // 001xxxxx: Set Dynamic Table Capacity (§4.3.1); 000xxxxx: Duplicate (§4.3.4)
    const value = readPrefixInt(c, 5, ENCODER_ERROR);
    if (value === NEED_MORE) return null;
    return first & 0x20 ? { kind: 'set-capacity', capacity: value } : { kind: 'duplicate', index: value };
  }
}

/** Incremental parser of the decoder stream; errors are QPACK_DECODER_STREAM_ERROR. */
export class DecoderStreamParser {
  private readonly input = new StreamBuffer();

  /** Bytes of an incomplete instruction held back. */
  get pending(): number {
    return this.input.pending;
  }

  /** Returns the instructions completed by `chunk`. */
  push(chunk: Uint8Array): DecoderInstruction[] {
    const c = this.input.begin(chunk);
    const out: DecoderInstruction[] = [];
    while (c.pos < c.end) {
      const first = c.buf[c.pos]!;
      let ins: DecoderInstruction;
      if (first & 0x80) {
        const streamId = readPrefixInt(c, 7, DECODER_ERROR);
        if (streamId === NEED_MORE) break;
        ins = { kind: 'section-ack', streamId };
      } else if (first & 0x40) {
        const streamId = readPrefixInt(c, 6, DECODER_ERROR);
        if (streamId === NEED_MORE) break;
        ins = { kind: 'stream-cancel', streamId };
      } else {
        const increment = readPrefixInt(c, 6, DECODER_ERROR);
        if (increment === NEED_MORE) break;
        ins = { kind: 'insert-count-increment', increment };
      }
      out.push(ins);
    }
    this.input.commit();
    return out;
  }
}
