import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { chunksOf, everySplit } from '@quicts/testkit';
import {
  decodeQpackBase, decodeRequiredInsertCount, encodeRequiredInsertCount, type QpackFieldLine, QpackFieldSectionReader, qpackMaxEntries,
  QpackByteWriter, QpackError, QpackErrorCode, writeQpackFieldLine, writeQpackSectionPrefix, type QpackHuffmanMode,
} from '@quicts/h3';
import { concat, feedAll, hex, unhex } from './helpers.ts';

const FAILED = QpackErrorCode.QPACK_DECOMPRESSION_FAILED;
const isFailed = (e: unknown): boolean => e instanceof QpackError && e.code === FAILED;

function encodeLines(lines: readonly QpackFieldLine[], huffman: QpackHuffmanMode = 'auto'): Uint8Array {
  const w = new QpackByteWriter();
  for (const l of lines) writeQpackFieldLine(w, l, huffman);
  return w.take();
}

function section(ric: number, base: number, maxEntries: number, lines: readonly QpackFieldLine[], huffman: QpackHuffmanMode = 'auto'): Uint8Array {
  const w = new QpackByteWriter();
  writeQpackSectionPrefix(w, ric, base, maxEntries);
  return concat(w.take(), encodeLines(lines, huffman));
}

function parseAll(bytes: Uint8Array, pieces: readonly Uint8Array[] = [bytes]): { lines: QpackFieldLine[]; reader: QpackFieldSectionReader } {
  const reader = new QpackFieldSectionReader();
  const lines = feedAll(pieces, (c) => reader.push(c));
  reader.end();
  return { lines, reader };
}

const ALL_KINDS: QpackFieldLine[] = [
  { kind: 'indexed', isStatic: true, index: 17 },
  { kind: 'indexed', isStatic: false, index: 70 },
  { kind: 'indexed-post-base', index: 20 },
  { kind: 'literal-name-ref', isStatic: true, index: 1, neverIndex: false, value: '/index.html' },
  { kind: 'literal-name-ref', isStatic: false, index: 3, neverIndex: true, value: 'secret' },
  { kind: 'literal-post-base-name-ref', index: 9, neverIndex: true, value: 'v' },
  { kind: 'literal-post-base-name-ref', index: 0, neverIndex: false, value: '' },
  { kind: 'literal', name: 'custom-key', value: 'custom-value', neverIndex: false },
  { kind: 'literal', name: 'x-long-name-that-needs-a-continued-length', value: 'é ✓ 𝄞', neverIndex: true },
];

test('RFC 9204 Appendix B field sections: exact bytes, both ways', () => {
  const b1: QpackFieldLine[] = [{ kind: 'literal-name-ref', isStatic: true, index: 1, neverIndex: false, value: '/index.html' }];
  assert.is(hex(section(0, 0, 6, b1, 'never')), '0000510b2f696e6465782e68746d6c');
  const b2: QpackFieldLine[] = [{ kind: 'indexed-post-base', index: 0 }, { kind: 'indexed-post-base', index: 1 }];
  assert.is(hex(section(2, 0, 6, b2)), '03811011');
  const b4: QpackFieldLine[] = [
    { kind: 'indexed', isStatic: false, index: 0 },
    { kind: 'indexed', isStatic: true, index: 1 },
    { kind: 'indexed', isStatic: false, index: 1 },
  ];
  assert.is(hex(section(4, 4, 6, b4)), '050080c181');
  for (const [h, lines, prefix] of [
    ['0000510b2f696e6465782e68746d6c', b1, { encodedInsertCount: 0, sign: false, deltaBase: 0 }],
    ['03811011', b2, { encodedInsertCount: 3, sign: true, deltaBase: 1 }],
    ['050080c181', b4, { encodedInsertCount: 5, sign: false, deltaBase: 0 }],
  ] as const) {
    const { lines: got, reader } = parseAll(unhex(h));
    assert.equal(got, lines);
    assert.equal(reader.prefix, prefix);
  }
});

test('each representation is one encode/decode pair (with and without Huffman)', () => {
  for (const mode of ['never', 'always', 'auto'] as const) {
    for (const line of ALL_KINDS) {
      const bytes = section(0, 0, 0, [line], mode);
      assert.equal(parseAll(bytes).lines, [line], `${mode} ${JSON.stringify(line)}`);
    }
  }
});

test('first-byte patterns and flag bits of the five representations (RFC 9204 §4.5.2-§4.5.6)', () => {
  const first = (l: QpackFieldLine): number => encodeLines([l], 'never')[0]!;
  assert.is(first({ kind: 'indexed', isStatic: true, index: 5 }), 0xc5);
  assert.is(first({ kind: 'indexed', isStatic: false, index: 5 }), 0x85);
  assert.is(first({ kind: 'indexed-post-base', index: 5 }), 0x15);
  assert.is(first({ kind: 'literal-name-ref', isStatic: true, index: 5, neverIndex: true, value: '' }), 0x75);
  assert.is(first({ kind: 'literal-name-ref', isStatic: false, index: 5, neverIndex: false, value: '' }), 0x45);
  assert.is(first({ kind: 'literal-post-base-name-ref', index: 5, neverIndex: true, value: '' }), 0x0d);
  assert.is(first({ kind: 'literal', name: 'ab', value: '', neverIndex: true }), 0x32);
  assert.is(encodeLines([{ kind: 'literal', name: 'abc', value: '', neverIndex: false }], 'always')[0]! & 0x08, 0x08);
});

test('the incremental reader gives the same lines one byte at a time and at every split point', () => {
  const bytes = section(80, 75, 100, ALL_KINDS);
  const whole = parseAll(bytes).lines;
  assert.equal(whole, ALL_KINDS);
  assert.equal(parseAll(bytes, chunksOf(bytes, 1)).lines, whole);
  for (const [a, b] of everySplit(bytes)) assert.equal(parseAll(bytes, [a, b]).lines, whole);
});

test('every truncation of a section leaves the reader incomplete, and end() throws', () => {
  const bytes = section(3, 1, 100, ALL_KINDS);
  const boundaries = new Set<number>();
  let at = 0;
  const prefixLength = bytes.length - encodeLines(ALL_KINDS).length;
  at = prefixLength;
  boundaries.add(at);
  for (const l of ALL_KINDS) boundaries.add((at += encodeLines([l]).length));
  for (let n = 0; n < bytes.length; n++) {
    const reader = new QpackFieldSectionReader();
    reader.push(bytes.subarray(0, n));
    if (boundaries.has(n)) reader.end();
    else assert.throws(() => reader.end(), isFailed, `cut at ${n}`);
  }
});

test('RFC 9204 §4.5.1.1: Required Insert Count encoding, the RFC example and the error cases', () => {
  // "if the dynamic table is 100 bytes, then the Required Insert Count will be encoded modulo 6.
  //  If a decoder has received 10 inserts, then an encoded value of 4 indicates ... 9"
  const maxEntries = qpackMaxEntries(100);
  assert.is(maxEntries, 3);
  assert.is(decodeRequiredInsertCount(4, maxEntries, 10), 9);
  assert.is(encodeRequiredInsertCount(9, maxEntries), 4);
  assert.is(encodeRequiredInsertCount(0, maxEntries), 0);
  assert.is(decodeRequiredInsertCount(0, maxEntries, 10), 0);
  assert.throws(() => decodeRequiredInsertCount(7, maxEntries, 10), isFailed); // > FullRange
  assert.throws(() => decodeRequiredInsertCount(1, 0, 0), isFailed); // no dynamic table
  assert.throws(() => decodeRequiredInsertCount(5, maxEntries, 0), isFailed); // RIC 4 > MaxValue 3 and <= FullRange
  assert.throws(() => decodeRequiredInsertCount(1, maxEntries, 0), isFailed); // reconstructs to 0
});

test('fast-check: Required Insert Count round-trips over the window a decoder can see', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 100000 }), fc.nat(), (maxEntries, inserts, pick) => {
      const low = Math.max(1, inserts - maxEntries + 1);
      const high = inserts + maxEntries;
      const ric = low + (pick % (high - low + 1));
      assert.is(decodeRequiredInsertCount(encodeRequiredInsertCount(ric, maxEntries), maxEntries, inserts), ric);
    }),
    { numRuns: 1000 },
  );
});

test('RFC 9204 §4.5.1.2: Base from the sign bit and Delta Base; a negative Base is an error', () => {
  assert.is(decodeQpackBase(9, true, 2), 6); // the RFC example
  assert.is(decodeQpackBase(2, false, 3), 5);
  assert.is(decodeQpackBase(0, false, 0), 0);
  assert.throws(() => decodeQpackBase(0, true, 0), isFailed);
  assert.throws(() => decodeQpackBase(2, true, 2), isFailed);
  const w = new QpackByteWriter();
  writeQpackSectionPrefix(w, 9, 6, 3);
  assert.is(hex(w.take()), '0482');
});

test('fuzz: random bytes produce lines or typed errors only', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      try {
        const reader = new QpackFieldSectionReader(64);
        reader.push(bytes);
        reader.end();
      } catch (e) {
        assert.ok(isFailed(e), String(e));
      }
    }),
    { numRuns: 2000 },
  );
});

test('a declared string length above the limit fails before the bytes arrive', () => {
  const reader = new QpackFieldSectionReader(100);
  // literal name, name length 3-bit prefix saturated + 1000
  assert.throws(() => reader.push(unhex('0000 27 e1 07')), isFailed);
});

test.run();
