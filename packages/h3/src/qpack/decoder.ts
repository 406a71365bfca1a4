/**
 * The QPACK decoder (RFC 9204 §2.2): applies encoder-stream instructions to its dynamic table,
 * decodes field sections (holding back blocked ones until the inserts they need arrive), and
 * produces the decoder-stream instructions to send back.
 *
 * Limits: the encoder may not set a capacity above `maxTableCapacity` (QPACK_ENCODER_STREAM_ERROR);
 * at most `maxBlockedStreams` streams may be blocked, a decoded section may not exceed
 * `maxFieldSectionSize` (RFC 9114 §4.2.2 size: name + value + 32 per line), and invalid indices
 * or Required Insert Count values fail the section (all QPACK_DECOMPRESSION_FAILED).
 * @module
 */
import { QpackError, QpackErrorCode } from '../errors.ts';
import { ByteWriter } from './byte-writer.ts';
import { type DynamicEntry, DynamicTable, ENTRY_OVERHEAD } from './dynamic-table.ts';
import {
  decodeBase, decodeRequiredInsertCount, FieldLineScratch, LineKind, maxEntriesFor, readFieldLine, readSectionPrefix,
  type SectionPrefix,
} from './field-lines.ts';
import { EncoderStreamParser, type EncoderInstruction, writeDecoderInstruction } from './instructions.ts';
import type { Cursor } from './prefix-int.ts';
import { STATIC_ENTRY_SIZES, STATIC_TABLE, STATIC_TABLE_LENGTH } from './static-table.ts';
import { utf8Length } from './string-literal.ts';
import type { DecodedField } from './types.ts';

const FAILED = QpackErrorCode.QPACK_DECOMPRESSION_FAILED;
const ENCODER_ERROR = QpackErrorCode.QPACK_ENCODER_STREAM_ERROR;

export interface QpackDecoderOptions {
  /** SETTINGS_QPACK_MAX_TABLE_CAPACITY we announce (RFC 9204 §5). */
  readonly maxTableCapacity: number;
  /** SETTINGS_QPACK_BLOCKED_STREAMS we announce (RFC 9204 §5). */
  readonly maxBlockedStreams: number;
  /** SETTINGS_MAX_FIELD_SECTION_SIZE we announce (RFC 9114 §4.2.2); unlimited by default. */
  readonly maxFieldSectionSize?: number;
}

/** A decoded field section. */
export interface DecodedSection {
  readonly streamId: number;
  readonly fields: DecodedField[];
  readonly requiredInsertCount: number;
}

export type DecodeResult =
  | ({ readonly kind: 'done' } & DecodedSection)
  | { readonly kind: 'blocked'; readonly streamId: number; readonly requiredInsertCount: number };

interface BlockedSection {
  readonly requiredInsertCount: number;
  readonly base: number;
  /** The field lines (the bytes after the prefix), copied. */
  readonly lines: Uint8Array;
}

export class QpackDecoder {
  /** The decoder's dynamic table (read it, do not modify it). */
  readonly table = new DynamicTable();
  readonly maxTableCapacity: number;
  readonly maxBlockedStreams: number;
  readonly maxFieldSectionSize: number;
  private readonly maxEntries: number;
  private readonly parser: EncoderStreamParser;
  /** Inserts the encoder is known to know we received (RFC 9204 §2.1.4). */
  private knownReceived = 0;
  private readonly decoderStream = new ByteWriter(32);
  /** Blocked sections per stream, in arrival order (RFC 9204 §2.2.1). */
  private readonly blocked = new Map<number, BlockedSection[]>();
  private minBlockedInsertCount = Infinity;
  private readonly line = new FieldLineScratch();
  private readonly cursor: Cursor = { buf: new Uint8Array(0), pos: 0, end: 0 };
  private readonly prefix: SectionPrefix = { encodedInsertCount: 0, sign: false, deltaBase: 0 };

  constructor(options: QpackDecoderOptions) {
    this.maxTableCapacity = checkLimit(options.maxTableCapacity, 'maxTableCapacity');
    this.maxBlockedStreams = checkLimit(options.maxBlockedStreams, 'maxBlockedStreams');
    this.maxFieldSectionSize = checkLimit(options.maxFieldSectionSize ?? Number.MAX_SAFE_INTEGER, 'maxFieldSectionSize');
    this.maxEntries = maxEntriesFor(this.maxTableCapacity);
    this.parser = new EncoderStreamParser(this.maxTableCapacity);
  }

  /** Total inserts received (the decoder's Insert Count). */
  get insertCount(): number {
    return this.table.insertCount;
  }

  /** Inserts already reported to the encoder (by acknowledgments or increments). */
  get knownReceivedCount(): number {
    return this.knownReceived;
  }

  /** Bytes of an incomplete encoder-stream instruction held back. */
  get encoderStreamPending(): number {
    return this.parser.pending;
  }

  /** Number of streams with a blocked field section. */
  get blockedStreamCount(): number {
    return this.blocked.size;
  }

  /**
   * Processes encoder-stream bytes (any chunking). Returns the field sections that these inserts
   * unblocked, in the order they became decodable. Throws QPACK_ENCODER_STREAM_ERROR for bad
   * instructions (and QPACK_DECOMPRESSION_FAILED if an unblocked section is invalid).
   */
  readEncoderStream(bytes: Uint8Array): DecodedSection[] {
    const unblocked: DecodedSection[] = [];
    for (const ins of this.parser.push(bytes)) {
      this.apply(ins);
      if (this.table.insertCount >= this.minBlockedInsertCount) this.unblock(unblocked);
    }
    return unblocked;
  }

  /**
   * Decodes one complete encoded field section received on `streamId`. If it needs inserts not
   * received yet, it is kept and `blocked` is returned; it is then returned by the
   * `readEncoderStream` call that unblocks it. A section on a stream that already has a blocked
   * one waits behind it.
   */
  decodeFieldSection(streamId: number, block: Uint8Array): DecodeResult {
    const c = this.cursor;
    c.buf = block;
    c.pos = 0;
    c.end = block.length;
    const p = this.prefix;
    if (!readSectionPrefix(c, p)) throw new QpackError(FAILED, 'truncated field section prefix');
    const ric = decodeRequiredInsertCount(p.encodedInsertCount, this.maxEntries, this.table.insertCount);
    const base = decodeBase(ric, p.sign, p.deltaBase);
    const queue = this.blocked.get(streamId);
    if (ric > this.table.insertCount || queue !== undefined) {
      const section: BlockedSection = { requiredInsertCount: ric, base, lines: block.slice(c.pos) };
      if (queue !== undefined) {
        queue.push(section);
      } else {
        // RFC 9204 §2.1.2: more blocked streams than announced is a connection error.
        if (this.blocked.size >= this.maxBlockedStreams) {
          throw new QpackError(FAILED, `more than ${this.maxBlockedStreams} blocked streams`);
        }
        this.blocked.set(streamId, [section]);
      }
      if (ric < this.minBlockedInsertCount) this.minBlockedInsertCount = ric;
      return { kind: 'blocked', streamId, requiredInsertCount: ric };
    }
    const fields = this.decodeLines(c, ric, base);
    this.acknowledge(streamId, ric);
    return { kind: 'done', streamId, fields, requiredInsertCount: ric };
  }

  /**
   * The stream was reset or its reading abandoned (RFC 9204 §4.4.2): drops its blocked sections
   * and queues a Stream Cancellation (not needed when our table capacity is 0).
   */
  cancelStream(streamId: number): void {
    if (this.blocked.delete(streamId)) this.recomputeMinBlocked();
    if (this.maxTableCapacity > 0) writeDecoderInstruction(this.decoderStream, { kind: 'stream-cancel', streamId });
  }

  /**
   * Decoder-stream bytes to send now (possibly empty): queued Section Acknowledgments and Stream
   * Cancellations, then one Insert Count Increment for inserts not yet reported (RFC 9204 §4.4.3).
   */
  takeDecoderStream(): Uint8Array {
    const inserts = this.table.insertCount;
    if (inserts > this.knownReceived) {
      writeDecoderInstruction(this.decoderStream, { kind: 'insert-count-increment', increment: inserts - this.knownReceived });
      this.knownReceived = inserts;
    }
    return this.decoderStream.take();
  }

  private apply(ins: EncoderInstruction): void {
    const table = this.table;
    switch (ins.kind) {
      case 'set-capacity':
        // RFC 9204 §4.3.1
        if (ins.capacity > this.maxTableCapacity) {
          throw new QpackError(ENCODER_ERROR, `capacity ${ins.capacity} above maximum ${this.maxTableCapacity}`);
        }
        table.setCapacity(ins.capacity);
        return;
      case 'insert-name-ref': {
        let name: string;
        let nameSize: number;
        if (ins.isStatic) {
          // RFC 9204 §3.1: an invalid static index on the encoder stream
          if (ins.index >= STATIC_TABLE_LENGTH) throw new QpackError(ENCODER_ERROR, `static index ${ins.index} out of range`);
          name = STATIC_TABLE[ins.index]![0];
          nameSize = name.length;
        } else {
          // RFC 9204 §3.2.5: relative to the insertion point; evicted or absent is an error (§2.2.3)
          const entry = table.get(table.insertCount - 1 - ins.index);
          if (entry === undefined) throw new QpackError(ENCODER_ERROR, `dynamic name index ${ins.index} not in table`);
          name = entry.name;
          nameSize = entry.nameSize;
        }
        this.insert(name, ins.value, nameSize, ins.valueSize ?? utf8Length(ins.value));
        return;
      }
      case 'insert-literal':
        this.insert(ins.name, ins.value, ins.nameSize ?? utf8Length(ins.name), ins.valueSize ?? utf8Length(ins.value));
        return;
      case 'duplicate': {
        const entry = table.get(table.insertCount - 1 - ins.index);
        if (entry === undefined) throw new QpackError(ENCODER_ERROR, `duplicate of index ${ins.index} not in table`);
        this.insert(entry.name, entry.value, entry.nameSize, entry.size - entry.nameSize - ENTRY_OVERHEAD);
        return;
      }
    }
  }

  private insert(name: string, value: string, nameSize: number, valueSize: number): void {
    // RFC 9204 §3.2.2: an entry larger than the capacity is an encoder stream error.
    if (nameSize + valueSize + ENTRY_OVERHEAD > this.table.capacity) {
      throw new QpackError(ENCODER_ERROR, `entry of ${nameSize + valueSize + ENTRY_OVERHEAD} bytes above capacity ${this.table.capacity}`);
    }
    this.table.insert(name, value, nameSize, valueSize);
  }

  private unblock(out: DecodedSection[]): void {
    const inserts = this.table.insertCount;
    for (const [streamId, queue] of this.blocked) {
      while (queue.length > 0 && queue[0]!.requiredInsertCount <= inserts) {
        const section = queue.shift()!;
        const c = this.cursor;
        c.buf = section.lines;
        c.pos = 0;
        c.end = section.lines.length;
        const fields = this.decodeLines(c, section.requiredInsertCount, section.base);
        this.acknowledge(streamId, section.requiredInsertCount);
        out.push({ streamId, fields, requiredInsertCount: section.requiredInsertCount });
      }
      if (queue.length === 0) this.blocked.delete(streamId);
    }
    this.recomputeMinBlocked();
  }

  private recomputeMinBlocked(): void {
    let min = Infinity;
    for (const queue of this.blocked.values()) {
      for (const s of queue) if (s.requiredInsertCount < min) min = s.requiredInsertCount;
    }
    this.minBlockedInsertCount = min;
  }

  /** RFC 9204 §4.4.1: acknowledge sections that referenced the dynamic table. */
  private acknowledge(streamId: number, ric: number): void {
    if (ric === 0) return;
    writeDecoderInstruction(this.decoderStream, { kind: 'section-ack', streamId });
    if (ric > this.knownReceived) this.knownReceived = ric;
  }

  private decodeLines(c: Cursor, ric: number, base: number): DecodedField[] {
    const s = this.line;
    const limit = this.maxFieldSectionSize;
    const fields: DecodedField[] = [];
    let total = 0;
    while (c.pos < c.end) {
      if (!readFieldLine(c, s, limit)) throw new QpackError(FAILED, 'truncated field line');
      let name: string;
      let value: string;
      let size: number;
      let neverIndex = false;
      switch (s.kind) {
        case LineKind.INDEXED:
          if (s.isStatic) {
            if (s.index >= STATIC_TABLE_LENGTH) throw new QpackError(FAILED, `static index ${s.index} out of range`);
            const entry = STATIC_TABLE[s.index]!;
            name = entry[0];
            value = entry[1];
            size = STATIC_ENTRY_SIZES[s.index]!;
          } else {
            const e = this.entryAt(base - 1 - s.index, ric);
            name = e.name;
            value = e.value;
            size = e.size;
          }
          break;
        case LineKind.INDEXED_POST_BASE: {
          const e = this.entryAt(base + s.index, ric);
          name = e.name;
          value = e.value;
          size = e.size;
          break;
        }
        case LineKind.LITERAL_NAME_REF:
        case LineKind.LITERAL_POST_BASE_NAME_REF: {
          if (s.isStatic) {
            if (s.index >= STATIC_TABLE_LENGTH) throw new QpackError(FAILED, `static index ${s.index} out of range`);
            name = STATIC_TABLE[s.index]![0];
            size = name.length;
          } else {
            const e = this.entryAt(s.kind === LineKind.LITERAL_NAME_REF ? base - 1 - s.index : base + s.index, ric);
            name = e.name;
            size = e.nameSize;
          }
          value = s.value;
          size += s.valueSize + ENTRY_OVERHEAD;
          neverIndex = s.neverIndex;
          break;
        }
        default:
          name = s.name;
          value = s.value;
          size = s.nameSize + s.valueSize + ENTRY_OVERHEAD;
          neverIndex = s.neverIndex;
      }
      total += size;
      if (total > limit) throw new QpackError(FAILED, `field section larger than ${limit} bytes`);
      fields.push({ name, value, neverIndex });
    }
    return fields;
  }

  /**
   * The dynamic entry a field line references (RFC 9204 §2.2.3): it must lie below the Required
   * Insert Count and must not have been evicted.
   */
  private entryAt(abs: number, ric: number): DynamicEntry {
    if (abs < 0 || abs >= ric) throw new QpackError(FAILED, `dynamic reference ${abs} outside Required Insert Count ${ric}`);
    const e = this.table.get(abs);
    if (e === undefined) throw new QpackError(FAILED, `dynamic entry ${abs} already evicted`);
    return e;
  }
}

function checkLimit(v: number, what: string): number {
  if (!(v >= 0) || !Number.isSafeInteger(v)) throw new RangeError(`${what} must be a non-negative integer: ${v}`);
  return v;
}
