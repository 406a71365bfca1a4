/**
 * The QPACK encoder (RFC 9204 §2.1): encodes field sections against the static table and a
 * dynamic table it fills through encoder-stream instructions, and tracks the decoder's
 * acknowledgments so that it never references an entry the decoder may lack beyond the
 * blocked-streams budget, and never evicts an entry that is not evictable (§2.1.1).
 *
 * Policy, in order, for each field line:
 *  1. an exact static match is sent as an indexed line;
 *  2. an exact dynamic match that may be referenced is sent as an indexed line; if the entry is
 *     in the draining area (the oldest entries, §2.1.1.1), it is duplicated first when there is
 *     room, so that the old copy can age out;
 *  3. otherwise, if the line is worth indexing (not sensitive, not huge, see `shouldIndex`) and
 *     an insert is possible without evicting entries still needed, it is inserted (with a name
 *     reference when one exists) and referenced when the blocking budget allows;
 *  4. otherwise it is a literal, with a static or referenceable dynamic name reference when
 *     there is one, and the 'N' bit for sensitive lines (§7.1.3).
 * Strings are Huffman-coded when that is shorter. The Base of every section is the insert count
 * when encoding starts, so entries inserted for the section use post-Base indices (§3.2.6).
 * @module
 */
import { QpackError, QpackErrorCode } from '../errors.ts';
import { ByteWriter } from './byte-writer.ts';
import { DynamicTable, ENTRY_OVERHEAD } from './dynamic-table.ts';
import { maxEntriesFor, writeSectionPrefix } from './field-lines.ts';
import { FieldHistory } from './field-history.ts';
import { DecoderStreamParser, writeEncoderInstruction } from './instructions.ts';
import { findStaticField, findStaticName } from './static-table.ts';
import { type HuffmanMode, utf8Length, writeText } from './string-literal.ts';
import type { QpackField } from './types.ts';

const DECODER_ERROR = QpackErrorCode.QPACK_DECODER_STREAM_ERROR;

export interface QpackEncoderOptions {
  /** Largest table capacity we are willing to use, whatever the peer allows. Default 4096. */
  readonly maxTableCapacity?: number;
  /** Huffman coding of strings. Default `auto` (when shorter). */
  readonly huffman?: HuffmanMode;
  /** Share of the capacity kept free or draining (RFC 9204 §2.1.1.1). Default 0.25. */
  readonly drainingFraction?: number;
  /** Whether a line may be inserted into the dynamic table. Default: `defaultShouldIndex`. */
  readonly shouldIndex?: IndexPolicy;
  /** Whether a line is sent as a never-indexed literal. Default: `defaultIsSensitive`. */
  readonly isSensitive?: (name: string, value: string) => boolean;
}

/** The decoder's settings (RFC 9204 §5), from the peer's SETTINGS frame. */
export interface QpackPeerSettings {
  readonly maxTableCapacity: number;
  readonly maxBlockedStreams: number;
}

export interface EncodeResult {
  /** The encoded field section (prefix and field lines), for a HEADERS frame. */
  readonly fieldSection: Uint8Array;
  /** Encoder-stream bytes to send before or with the section (possibly empty). */
  readonly encoderStream: Uint8Array;
  /** The section's Required Insert Count (0 when it references no dynamic entry). */
  readonly requiredInsertCount: number;
}

/** An unacknowledged section that references the dynamic table. */
interface OutstandingSection {
  readonly requiredInsertCount: number;
  /** Absolute indices referenced, one per reference. */
  readonly refs: number[];
}

/** Names whose values are credentials: never indexed, sent with the 'N' bit (RFC 9204 §7.1.3). */
const SENSITIVE_NAMES = new Set(['authorization', 'proxy-authorization', 'set-cookie']);

/**
 * Default sensitivity: credentials, and short cookies (low entropy makes them guessable, RFC 9204
 * §7.1.3).
 */
export function defaultIsSensitive(name: string, value: string): boolean {
  if (SENSITIVE_NAMES.has(name)) return true;
  return name === 'cookie' && value.length < 20;
}

/**
 * Whether to insert a line into the dynamic table. `entrySize` is its size in the table,
 * `capacity` the table capacity, `repeated` whether the same line was among the recently
 * encoded ones (roughly the last table-full of lines).
 */
export type IndexPolicy = (name: string, value: string, entrySize: number, capacity: number, repeated: boolean) => boolean;

/** Names whose values rarely repeat: indexing them only churns the table. */
const UNIQUE_VALUE_NAMES = new Set(['content-length', 'date', 'etag', 'last-modified', 'if-modified-since', 'if-none-match', 'expires', 'age', 'x-request-id']);

/** Names whose values usually repeat on a connection: worth an entry the first time. */
const REPEATING_NAMES = new Set([
  ':authority', 'user-agent', 'cookie', 'accept', 'accept-encoding', 'accept-language', 'origin', 'referer',
  'server', 'content-type', 'cache-control', 'vary', 'alt-svc', 'strict-transport-security', 'access-control-allow-origin',
]);

/**
 * Default indexing policy: never entries above three quarters of the capacity nor names whose
 * values are nearly always new; at once for names that usually repeat; otherwise only lines
 * seen recently (a first sighting that never recurs would cost an insert and evict useful
 * entries; measured on the QIF corpus this is clearly smaller than inserting everything).
 */
export function defaultShouldIndex(name: string, _value: string, entrySize: number, capacity: number, repeated: boolean): boolean {
  if (entrySize * 4 > capacity * 3) return false;
  if (UNIQUE_VALUE_NAMES.has(name)) return false;
  return repeated || (REPEATING_NAMES.has(name) && entrySize * 8 <= capacity);
}

export class QpackEncoder {
  /** The encoder's view of the dynamic table (read it, do not modify it). */
  readonly table = new DynamicTable({ indexed: true });
  private readonly ownMaxCapacity: number;
  private readonly huffman: HuffmanMode;
  private readonly drainingFraction: number;
  private readonly shouldIndex: IndexPolicy;
  private readonly isSensitive: (name: string, value: string) => boolean;
  private peerMaxCapacity = 0;
  private maxEntries = 0;
  private maxBlockedStreams = 0;
  private knownReceived = 0;
  /** Unacknowledged sections with dynamic references, per stream, oldest first (§4.4.1). */
  private readonly outstanding = new Map<number, OutstandingSection[]>();
  private readonly decoderParser = new DecoderStreamParser();
  private readonly encoderStream = new ByteWriter();
  private readonly lines = new ByteWriter(256);
  private readonly out = new ByteWriter(256);
  private history = new FieldHistory(0);

  constructor(options: QpackEncoderOptions = {}) {
    this.ownMaxCapacity = options.maxTableCapacity ?? 4096;
    this.huffman = options.huffman ?? 'auto';
    this.drainingFraction = options.drainingFraction ?? 0.25;
    this.shouldIndex = options.shouldIndex ?? defaultShouldIndex;
    this.isSensitive = options.isSensitive ?? defaultIsSensitive;
    if (!Number.isSafeInteger(this.ownMaxCapacity) || this.ownMaxCapacity < 0) throw new RangeError('maxTableCapacity must be a non-negative integer');
  }

  /**
   * Applies the peer decoder's settings. With a non-zero capacity the encoder sets its table
   * capacity (min of the peer's and ours) with a Set Dynamic Table Capacity instruction, sent with
   * the next encoder-stream output. Call it once, before the table is used.
   */
  setPeerSettings(settings: QpackPeerSettings): void {
    const { maxTableCapacity, maxBlockedStreams } = settings;
    if (!Number.isSafeInteger(maxTableCapacity) || maxTableCapacity < 0) throw new RangeError('maxTableCapacity must be a non-negative integer');
    if (!Number.isSafeInteger(maxBlockedStreams) || maxBlockedStreams < 0) throw new RangeError('maxBlockedStreams must be a non-negative integer');
    this.maxBlockedStreams = maxBlockedStreams;
    if (this.table.insertCount > 0) return; // the table is in use: keep its capacity
    this.peerMaxCapacity = maxTableCapacity;
    this.maxEntries = maxEntriesFor(maxTableCapacity);
    const capacity = Math.min(maxTableCapacity, this.ownMaxCapacity);
    if (capacity !== this.table.capacity) {
      // RFC 9204 §3.2.3: with a peer maximum of 0 nothing may be sent on the encoder stream.
      writeEncoderInstruction(this.encoderStream, { kind: 'set-capacity', capacity });
      this.table.setCapacity(capacity);
    }
    this.history = new FieldHistory(Math.max(16, maxEntriesFor(capacity)));
  }

  /** Inserts the encoder has seen acknowledged (RFC 9204 §2.1.4). */
  get knownReceivedCount(): number {
    return this.knownReceived;
  }

  /** Total inserts (the encoder's Insert Count). */
  get insertCount(): number {
    return this.table.insertCount;
  }

  /** Streams that could be blocked at the decoder now (RFC 9204 §2.1.2). */
  get blockingStreamCount(): number {
    let n = 0;
    for (const id of this.outstanding.keys()) if (this.isBlocking(id)) n++;
    return n;
  }

  /** The peer's SETTINGS_QPACK_MAX_TABLE_CAPACITY as applied. */
  get peerMaxTableCapacity(): number {
    return this.peerMaxCapacity;
  }

  /** Encodes one field section for `streamId`. */
  encode(streamId: number, fields: Iterable<QpackField>): EncodeResult {
    const table = this.table;
    const lines = this.lines;
    const huffman = this.huffman;
    const base = table.insertCount;
    const capacity = table.capacity;
    const mayBlock = this.isBlocking(streamId) || this.blockingStreamCount < this.maxBlockedStreams;
    // Entries below `referenceable` may be referenced: acknowledged ones, or all when blocking is allowed.
    const referenceable = (abs: number): boolean => abs < this.knownReceived || mayBlock;
    const draining = capacity > 0 ? table.drainingIndex(capacity * this.drainingFraction) : 0;
    const refs: number[] = [];
    let ric = 0;
    const ref = (abs: number): void => {
      table.get(abs)!.refs++;
      refs.push(abs);
      if (abs + 1 > ric) ric = abs + 1;
    };
    lines.pos = 0;

    for (const field of fields) {
      const { name, value } = field;
      const sensitive = field.neverIndex ?? this.isSensitive(name, value);
      const staticIndex = findStaticField(name, value);
      if (staticIndex >= 0) {
        lines.prefixInt(6, 0xc0, staticIndex); // §4.5.2, T=1
        continue;
      }
      if (!sensitive && capacity > 0) {
        let abs = table.findField(name, value);
        if (abs >= 0 && referenceable(abs)) {
          if (abs < draining && mayBlock && table.canInsert(table.get(abs)!.size, this.knownReceived)) {
            // §2.1.1.1: re-insert an entry close to eviction instead of pinning it.
            writeEncoderInstruction(this.encoderStream, { kind: 'duplicate', index: table.insertCount - 1 - abs });
            const e = table.get(abs)!;
            abs = table.insert(e.name, e.value, e.nameSize, e.size - e.nameSize - ENTRY_OVERHEAD);
          }
          ref(abs);
          if (abs < base) lines.prefixInt(6, 0x80, base - 1 - abs); // §4.5.2, T=0
          else lines.prefixInt(4, 0x10, abs - base); // §4.5.3
          continue;
        }
        const nameSize = utf8Length(name);
        const valueSize = utf8Length(value);
        const size = nameSize + valueSize + ENTRY_OVERHEAD;
        const repeated = this.history.see(name, value);
        if (abs < 0 && this.shouldIndex(name, value, size, capacity, repeated) && table.canInsert(size, this.knownReceived)) {
          const staticName = findStaticName(name);
          const dynamicName = staticName < 0 ? table.findName(name) : -1;
          if (staticName >= 0) {
            writeEncoderInstruction(this.encoderStream, { kind: 'insert-name-ref', isStatic: true, index: staticName, value }, huffman);
          } else if (dynamicName >= 0) {
            const index = table.insertCount - 1 - dynamicName;
            writeEncoderInstruction(this.encoderStream, { kind: 'insert-name-ref', isStatic: false, index, value }, huffman);
          } else {
            writeEncoderInstruction(this.encoderStream, { kind: 'insert-literal', name, value }, huffman);
          }
          const inserted = table.insert(name, value, nameSize, valueSize);
          if (mayBlock) {
            ref(inserted);
            lines.prefixInt(4, 0x10, inserted - base); // §4.5.3
            continue;
          }
        }
      }
      // A literal (§4.5.4-§4.5.6), with the 'N' bit when sensitive.
      const n = sensitive ? 0x20 : 0;
      const staticName = findStaticName(name);
      if (staticName >= 0) {
        lines.prefixInt(4, 0x50 | n, staticName);
        writeText(lines, 8, 0, value, huffman);
        continue;
      }
      if (capacity > 0) {
        const abs = table.findName(name);
        if (abs >= 0 && abs >= draining && referenceable(abs)) {
          ref(abs);
          if (abs < base) lines.prefixInt(4, 0x40 | n, base - 1 - abs); // §4.5.4, T=0
          else lines.prefixInt(3, n >> 2, abs - base); // §4.5.5
          writeText(lines, 8, 0, value, huffman);
          continue;
        }
      }
      writeText(lines, 4, 0x20 | (n >> 1), name, huffman); // §4.5.6
      writeText(lines, 8, 0, value, huffman);
    }

    const out = this.out;
    out.pos = 0;
    // §4.5.1.2: without dynamic references any Base will do; 0 is the shortest.
    if (ric === 0) writeSectionPrefix(out, 0, 0, this.maxEntries);
    else writeSectionPrefix(out, ric, base, this.maxEntries);
    out.reserve(lines.pos);
    out.buf.set(lines.buf.subarray(0, lines.pos), out.pos);
    out.pos += lines.pos;
    if (ric > 0) {
      let queue = this.outstanding.get(streamId);
      if (queue === undefined) this.outstanding.set(streamId, (queue = []));
      queue.push({ requiredInsertCount: ric, refs });
    }
    return { fieldSection: out.take(), encoderStream: this.encoderStream.take(), requiredInsertCount: ric };
  }

  /**
   * Speculatively inserts a line (RFC 9204 Appendix B.3) if the table has room without evicting
   * entries still needed. The instruction goes out with the next encoder-stream output.
   */
  insert(name: string, value: string): boolean {
    const table = this.table;
    const nameSize = utf8Length(name);
    const valueSize = utf8Length(value);
    if (!table.canInsert(nameSize + valueSize + ENTRY_OVERHEAD, this.knownReceived)) return false;
    const staticName = findStaticName(name);
    const dynamicName = staticName < 0 ? table.findName(name) : -1;
    if (staticName >= 0) {
      writeEncoderInstruction(this.encoderStream, { kind: 'insert-name-ref', isStatic: true, index: staticName, value }, this.huffman);
    } else if (dynamicName >= 0) {
      const index = table.insertCount - 1 - dynamicName;
      writeEncoderInstruction(this.encoderStream, { kind: 'insert-name-ref', isStatic: false, index, value }, this.huffman);
    } else {
      writeEncoderInstruction(this.encoderStream, { kind: 'insert-literal', name, value }, this.huffman);
    }
    table.insert(name, value, nameSize, valueSize);
    return true;
  }

  /** Encoder-stream bytes not yet handed out (possibly empty). */
  takeEncoderStream(): Uint8Array {
    return this.encoderStream.take();
  }

  /**
   * Processes decoder-stream bytes (any chunking): Section Acknowledgments, Stream
   * Cancellations and Insert Count Increments. Throws QPACK_DECODER_STREAM_ERROR.
   */
  readDecoderStream(bytes: Uint8Array): void {
    for (const ins of this.decoderParser.push(bytes)) {
      switch (ins.kind) {
        case 'section-ack': {
          const queue = this.outstanding.get(ins.streamId);
          const section = queue?.shift();
          // §4.4.1: an acknowledgment with nothing outstanding on the stream is an error.
          if (queue === undefined || section === undefined) {
            throw new QpackError(DECODER_ERROR, `Section Acknowledgment for stream ${ins.streamId} with nothing outstanding`);
          }
          if (queue.length === 0) this.outstanding.delete(ins.streamId);
          this.release(section);
          // §2.1.4: the acknowledged section's inserts were all received.
          if (section.requiredInsertCount > this.knownReceived) this.knownReceived = section.requiredInsertCount;
          break;
        }
        case 'stream-cancel': {
          const queue = this.outstanding.get(ins.streamId);
          if (queue !== undefined) {
            for (const section of queue) this.release(section);
            this.outstanding.delete(ins.streamId);
          }
          break;
        }
        case 'insert-count-increment':
          // §4.4.3: zero, or beyond what was sent, is an error.
          if (ins.increment === 0) throw new QpackError(DECODER_ERROR, 'Insert Count Increment of 0');
          if (this.knownReceived + ins.increment > this.table.insertCount) {
            throw new QpackError(DECODER_ERROR, `Insert Count Increment beyond ${this.table.insertCount} inserts`);
          }
          this.knownReceived += ins.increment;
          break;
      }
    }
  }

  private release(section: OutstandingSection): void {
    for (const abs of section.refs) {
      const e = this.table.get(abs);
      if (e !== undefined) e.refs--;
    }
  }

  /** Whether `streamId` has an unacknowledged section that may be blocked at the decoder. */
  private isBlocking(streamId: number): boolean {
    const queue = this.outstanding.get(streamId);
    if (queue === undefined) return false;
    for (const s of queue) if (s.requiredInsertCount > this.knownReceived) return true;
    return false;
  }
}
