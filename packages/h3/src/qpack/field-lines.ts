/**
 * Encoded field sections (RFC 9204 §4.5): the prefix with Required Insert Count and Base
 * (§4.5.1), and the five field line representations (§4.5.2-§4.5.6).
 *
 * Parsing comes in two forms: `readFieldLine` fills a reusable `FieldLineScratch` (the decoder's
 * hot path, no object per line besides the strings), and `FieldSectionReader` is an incremental
 * parser returning typed `FieldLine` values as they complete, for any chunking of the input.
 * @module
 */
import { QpackError, QpackErrorCode } from '../errors.ts';
import type { ByteWriter } from './byte-writer.ts';
import { type Cursor, NEED_MORE, readPrefixInt } from './prefix-int.ts';
import { StreamBuffer } from './stream-buffer.ts';
import { decodeString, type HuffmanMode, scanString, StringSpan, writeText } from './string-literal.ts';

const FAILED = QpackErrorCode.QPACK_DECOMPRESSION_FAILED;

/** A field line representation, as on the wire (indices not yet resolved). */
export type FieldLine =
  /** §4.5.2 Indexed Field Line: static index, or dynamic index relative to Base. */
  | { readonly kind: 'indexed'; readonly isStatic: boolean; readonly index: number }
  /** §4.5.3 Indexed Field Line with Post-Base Index. */
  | { readonly kind: 'indexed-post-base'; readonly index: number }
  /** §4.5.4 Literal Field Line with Name Reference (static, or dynamic relative to Base). */
  | { readonly kind: 'literal-name-ref'; readonly isStatic: boolean; readonly index: number; readonly neverIndex: boolean; readonly value: string }
  /** §4.5.5 Literal Field Line with Post-Base Name Reference. */
  | { readonly kind: 'literal-post-base-name-ref'; readonly index: number; readonly neverIndex: boolean; readonly value: string }
  /** §4.5.6 Literal Field Line with Literal Name. */
  | { readonly kind: 'literal'; readonly name: string; readonly value: string; readonly neverIndex: boolean };

/** Representation kinds in `FieldLineScratch.kind`. */
export const LineKind = {
  INDEXED: 0,
  INDEXED_POST_BASE: 1,
  LITERAL_NAME_REF: 2,
  LITERAL_POST_BASE_NAME_REF: 3,
  LITERAL: 4,
} as const;

/** A mutable field line filled in place by `readFieldLine`. */
export class FieldLineScratch {
  kind = 0;
  isStatic = false;
  index = 0;
  neverIndex = false;
  /** Literal name (LITERAL only) and its size in bytes. */
  name = '';
  nameSize = 0;
  /** Literal value (all literal kinds) and its size in bytes. */
  value = '';
  valueSize = 0;
  readonly nameSpan = new StringSpan();
  readonly valueSpan = new StringSpan();
}

/**
 * Reads one field line representation. Returns false when `c` ends before it does (`c.pos`
 * unchanged). Strings longer than `maxString` bytes throw QPACK_DECOMPRESSION_FAILED.
 */
export function readFieldLine(c: Cursor, s: FieldLineScratch, maxString: number): boolean {
  const start = c.pos;
  if (start >= c.end) return false;
  const first = c.buf[start]!;
  if (first & 0x80) {
    // 1Txxxxxx: Indexed Field Line (§4.5.2)
    const index = readPrefixInt(c, 6, FAILED);
    if (index === NEED_MORE) return false;
    s.kind = LineKind.INDEXED;
    s.isStatic = (first & 0x40) !== 0;
    s.index = index;
    return true;
  }
  if (first & 0x40) {
    // 01NTxxxx: Literal Field Line with Name Reference (§4.5.4)
    const index = readPrefixInt(c, 4, FAILED);
    if (index === NEED_MORE) return false;
    if (!scanString(c, 8, maxString, FAILED, s.valueSpan)) {
      c.pos = start;
      return false;
    }
    s.kind = LineKind.LITERAL_NAME_REF;
    s.neverIndex = (first & 0x20) !== 0;
    s.isStatic = (first & 0x10) !== 0;
    s.index = index;
    s.value = decodeString(c.buf, s.valueSpan, maxString, FAILED);
    s.valueSize = s.valueSpan.byteLength;
    return true;
  }
  if (first & 0x20) {
    // 001NHxxx: Literal Field Line with Literal Name (§4.5.6)
    c.pos = start;
    if (!scanString(c, 4, maxString, FAILED, s.nameSpan) || !scanString(c, 8, maxString, FAILED, s.valueSpan)) {
      c.pos = start;
      return false;
    }
    s.kind = LineKind.LITERAL;
    s.neverIndex = (first & 0x10) !== 0;
    s.isStatic = false;
    s.index = 0;
    s.name = decodeString(c.buf, s.nameSpan, maxString, FAILED);
    s.nameSize = s.nameSpan.byteLength;
    s.value = decodeString(c.buf, s.valueSpan, maxString, FAILED);
    s.valueSize = s.valueSpan.byteLength;
    return true;
  }
  if (first & 0x10) {
    // 0001xxxx: Indexed Field Line with Post-Base Index (§4.5.3)
    const index = readPrefixInt(c, 4, FAILED);
    if (index === NEED_MORE) return false;
    s.kind = LineKind.INDEXED_POST_BASE;
    s.isStatic = false;
    s.index = index;
    return true;
  }
  // 0000Nxxx: Literal Field Line with Post-Base Name Reference (§4.5.5)
  const index = readPrefixInt(c, 3, FAILED);
  if (index === NEED_MORE) return false;
  if (!scanString(c, 8, maxString, FAILED, s.valueSpan)) {
    c.pos = start;
    return false;
  }
  s.kind = LineKind.LITERAL_POST_BASE_NAME_REF;
  s.neverIndex = (first & 0x08) !== 0;
  s.isStatic = false;
  s.index = index;
  s.value = decodeString(c.buf, s.valueSpan, maxString, FAILED);
  s.valueSize = s.valueSpan.byteLength;
  return true;
}

/** The typed form of a scratch line. */
export function toFieldLine(s: FieldLineScratch): FieldLine {
  switch (s.kind) {
    case LineKind.INDEXED:
      return { kind: 'indexed', isStatic: s.isStatic, index: s.index };
    case LineKind.INDEXED_POST_BASE:
      return { kind: 'indexed-post-base', index: s.index };
    case LineKind.LITERAL_NAME_REF:
      return { kind: 'literal-name-ref', isStatic: s.isStatic, index: s.index, neverIndex: s.neverIndex, value: s.value };
    case LineKind.LITERAL_POST_BASE_NAME_REF:
      return { kind: 'literal-post-base-name-ref', index: s.index, neverIndex: s.neverIndex, value: s.value };
    default:
      return { kind: 'literal', name: s.name, value: s.value, neverIndex: s.neverIndex };
  }
}

/** Writes one field line representation; strings are Huffman-coded according to `huffman`. */
export function writeFieldLine(w: ByteWriter, line: FieldLine, huffman: HuffmanMode = 'auto'): void {
  switch (line.kind) {
    case 'indexed':
      w.prefixInt(6, line.isStatic ? 0xc0 : 0x80, line.index);
      return;
    case 'indexed-post-base':
      w.prefixInt(4, 0x10, line.index);
      return;
    case 'literal-name-ref':
      w.prefixInt(4, 0x40 | (line.neverIndex ? 0x20 : 0) | (line.isStatic ? 0x10 : 0), line.index);
      writeText(w, 8, 0, line.value, huffman);
      return;
    case 'literal-post-base-name-ref':
      w.prefixInt(3, line.neverIndex ? 0x08 : 0, line.index);
      writeText(w, 8, 0, line.value, huffman);
      return;
    case 'literal':
      writeText(w, 4, 0x20 | (line.neverIndex ? 0x10 : 0), line.name, huffman);
      writeText(w, 8, 0, line.value, huffman);
      return;
  }
}

/** The two integers of the encoded field section prefix (§4.5.1), as on the wire. */
export interface SectionPrefix {
  /** Encoded Required Insert Count (§4.5.1.1). */
  encodedInsertCount: number;
  /** The 'S' bit: Base is below the Required Insert Count. */
  sign: boolean;
  deltaBase: number;
}

/** Reads the field section prefix into `out`; false when incomplete (`c.pos` unchanged). */
export function readSectionPrefix(c: Cursor, out: SectionPrefix): boolean {
  const start = c.pos;
  const encoded = readPrefixInt(c, 8, FAILED);
  if (encoded === NEED_MORE) return false;
  if (c.pos >= c.end) {
    c.pos = start;
    return false;
  }
  const sign = (c.buf[c.pos]! & 0x80) !== 0;
  const delta = readPrefixInt(c, 7, FAILED);
  if (delta === NEED_MORE) {
    c.pos = start;
    return false;
  }
  out.encodedInsertCount = encoded;
  out.sign = sign;
  out.deltaBase = delta;
  return true;
}

/** MaxEntries of §4.5.1.1 for a decoder's maximum table capacity. */
export function maxEntriesFor(maxTableCapacity: number): number {
  return Math.floor(maxTableCapacity / 32);
}

/** Encodes a Required Insert Count (§4.5.1.1). */
export function encodeRequiredInsertCount(requiredInsertCount: number, maxEntries: number): number {
  if (requiredInsertCount === 0) return 0;
  return (requiredInsertCount % (2 * maxEntries)) + 1;
}

/**
 * Reconstructs the Required Insert Count (§4.5.1.1) from its encoding, given how many inserts
 * the decoder has seen. Values no conformant encoder could produce throw
 * QPACK_DECOMPRESSION_FAILED.
 */
export function decodeRequiredInsertCount(encoded: number, maxEntries: number, totalInserts: number): number {
  if (encoded === 0) return 0;
  const fullRange = 2 * maxEntries;
  if (encoded > fullRange) throw new QpackError(FAILED, `encoded Required Insert Count ${encoded} above ${fullRange}`);
  const maxValue = totalInserts + maxEntries;
  const maxWrapped = Math.floor(maxValue / fullRange) * fullRange;
  let ric = maxWrapped + encoded - 1;
  if (ric > maxValue) {
    if (ric <= fullRange) throw new QpackError(FAILED, 'invalid encoded Required Insert Count');
    ric -= fullRange;
  }
  if (ric === 0) throw new QpackError(FAILED, 'Required Insert Count 0 encoded as non-zero');
  return ric;
}

/** Base from the Required Insert Count and the sign and Delta Base (§4.5.1.2). */
export function decodeBase(requiredInsertCount: number, sign: boolean, deltaBase: number): number {
  if (!sign) return requiredInsertCount + deltaBase;
  // §4.5.1.2: a sign bit of 1 with Required Insert Count <= Delta Base is invalid (Base < 0).
  if (requiredInsertCount <= deltaBase) throw new QpackError(FAILED, 'negative Base');
  return requiredInsertCount - deltaBase - 1;
}

/** Writes the field section prefix for a Required Insert Count and Base (§4.5.1). */
export function writeSectionPrefix(w: ByteWriter, requiredInsertCount: number, base: number, maxEntries: number): void {
  w.prefixInt(8, 0, encodeRequiredInsertCount(requiredInsertCount, maxEntries));
  if (base >= requiredInsertCount) w.prefixInt(7, 0, base - requiredInsertCount);
  else w.prefixInt(7, 0x80, requiredInsertCount - base - 1);
}

/**
 * Incremental parser of one encoded field section: accepts the bytes in any chunking and returns
 * the representations completed by each chunk. The prefix is available once parsed.
 */
export class FieldSectionReader {
  /** The section prefix, once its bytes have arrived. */
  prefix: SectionPrefix | null = null;
  private readonly input = new StreamBuffer();
  private readonly scratch = new FieldLineScratch();

  constructor(private readonly maxString = Number.MAX_SAFE_INTEGER) {}

  /** Parses what `chunk` completes. */
  push(chunk: Uint8Array): FieldLine[] {
    const c = this.input.begin(chunk);
    const lines: FieldLine[] = [];
    if (this.prefix === null) {
      const p: SectionPrefix = { encodedInsertCount: 0, sign: false, deltaBase: 0 };
      if (readSectionPrefix(c, p)) this.prefix = p;
    }
    if (this.prefix !== null) {
      while (readFieldLine(c, this.scratch, this.maxString)) lines.push(toFieldLine(this.scratch));
    }
    this.input.commit();
    return lines;
  }

  /** Declares the end of the section: a partial prefix or representation is an error. */
  end(): void {
    if (this.prefix === null || this.input.pending > 0) throw new QpackError(FAILED, 'truncated field section');
  }
}
