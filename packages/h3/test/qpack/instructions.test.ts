import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { chunksOf, everySplit } from '@quicts/testkit';
import {
  type QpackDecoderInstruction, QpackDecoderStreamParser, type QpackEncoderInstruction, QpackEncoderStreamParser, encodeDecoderInstruction,
  encodeEncoderInstruction, QpackByteWriter, QpackError, QpackErrorCode, writeDecoderInstruction, writeEncoderInstruction,
} from '@quicts/h3';
import { feedAll, hex, unhex } from './helpers.ts';

const ENC = QpackErrorCode.QPACK_ENCODER_STREAM_ERROR;
const DEC = QpackErrorCode.QPACK_DECODER_STREAM_ERROR;

/** Parsed inserts carry wire sizes; drop them to compare with what was written. */
function plain(ins: QpackEncoderInstruction): QpackEncoderInstruction {
  if (ins.kind === 'insert-name-ref') return { kind: ins.kind, isStatic: ins.isStatic, index: ins.index, value: ins.value };
  if (ins.kind === 'insert-literal') return { kind: ins.kind, name: ins.name, value: ins.value };
  return ins;
}

function parseEncoder(pieces: readonly Uint8Array[], max = 4096): QpackEncoderInstruction[] {
  const p = new QpackEncoderStreamParser(max);
  const out = feedAll(pieces, (c) => p.push(c)).map(plain);
  assert.is(p.pending, 0);
  return out;
}

function parseDecoder(pieces: readonly Uint8Array[]): QpackDecoderInstruction[] {
  const p = new QpackDecoderStreamParser();
  const out = feedAll(pieces, (c) => p.push(c));
  assert.is(p.pending, 0);
  return out;
}

const ENCODER_SAMPLE: QpackEncoderInstruction[] = [
  { kind: 'set-capacity', capacity: 220 },
  { kind: 'insert-name-ref', isStatic: true, index: 0, value: 'www.example.com' },
  { kind: 'insert-name-ref', isStatic: false, index: 70, value: '' },
  { kind: 'insert-literal', name: 'custom-key', value: 'custom-value' },
  { kind: 'insert-literal', name: 'x'.repeat(40), value: 'ü'.repeat(100) },
  { kind: 'duplicate', index: 2 },
  { kind: 'duplicate', index: 1000 },
];

const DECODER_SAMPLE: QpackDecoderInstruction[] = [
  { kind: 'section-ack', streamId: 4 },
  { kind: 'section-ack', streamId: 2 ** 40 },
  { kind: 'stream-cancel', streamId: 8 },
  { kind: 'stream-cancel', streamId: 100 },
  { kind: 'insert-count-increment', increment: 1 },
  { kind: 'insert-count-increment', increment: 300 },
];

test('RFC 9204 Appendix B encoder-stream bytes, written and parsed', () => {
  const cases: [string, QpackEncoderInstruction[]][] = [
    ['3fbd01', [{ kind: 'set-capacity', capacity: 220 }]],
    ['c00f7777772e6578616d706c652e636f6d', [{ kind: 'insert-name-ref', isStatic: true, index: 0, value: 'www.example.com' }]],
    ['c10c2f73616d706c652f70617468', [{ kind: 'insert-name-ref', isStatic: true, index: 1, value: '/sample/path' }]],
    ['4a637573746f6d2d6b65790c637573746f6d2d76616c7565', [{ kind: 'insert-literal', name: 'custom-key', value: 'custom-value' }]],
    ['02', [{ kind: 'duplicate', index: 2 }]],
    ['810d637573746f6d2d76616c756532', [{ kind: 'insert-name-ref', isStatic: false, index: 1, value: 'custom-value2' }]],
  ];
  for (const [h, ins] of cases) {
    assert.is(hex(encodeEncoderInstruction(ins[0]!, 'never')), h);
    assert.equal(parseEncoder([unhex(h)]), ins);
  }
});

test('RFC 9204 Appendix B decoder-stream bytes, written and parsed', () => {
  const cases: [string, QpackDecoderInstruction][] = [
    ['84', { kind: 'section-ack', streamId: 4 }],
    ['01', { kind: 'insert-count-increment', increment: 1 }],
    ['48', { kind: 'stream-cancel', streamId: 8 }],
  ];
  for (const [h, ins] of cases) {
    assert.is(hex(encodeDecoderInstruction(ins)), h);
    assert.equal(parseDecoder([unhex(h)]), [ins]);
  }
});

test('parsed inserts report their sizes in wire bytes', () => {
  const p = new QpackEncoderStreamParser(4096);
  const [ins] = p.push(encodeEncoderInstruction({ kind: 'insert-literal', name: 'k', value: 'ü€' }, 'always'));
  assert.equal(ins, { kind: 'insert-literal', name: 'k', value: 'ü€', nameSize: 1, valueSize: 5 });
});

test('encoder-stream parser: same instructions one byte at a time and at every split point', () => {
  for (const mode of ['never', 'always', 'auto'] as const) {
    const w = new QpackByteWriter();
    for (const ins of ENCODER_SAMPLE) writeEncoderInstruction(w, ins, mode);
    const bytes = w.take();
    assert.equal(parseEncoder([bytes]), ENCODER_SAMPLE);
    assert.equal(parseEncoder(chunksOf(bytes, 1)), ENCODER_SAMPLE);
    for (const split of everySplit(bytes)) assert.equal(parseEncoder(split), ENCODER_SAMPLE);
  }
});

test('decoder-stream parser: same instructions one byte at a time and at every split point', () => {
  const w = new QpackByteWriter();
  for (const ins of DECODER_SAMPLE) writeDecoderInstruction(w, ins);
  const bytes = w.take();
  assert.equal(parseDecoder([bytes]), DECODER_SAMPLE);
  assert.equal(parseDecoder(chunksOf(bytes, 1)), DECODER_SAMPLE);
  for (const split of everySplit(bytes)) assert.equal(parseDecoder(split), DECODER_SAMPLE);
});

test('partial instructions stay buffered until complete', () => {
  const p = new QpackEncoderStreamParser(4096);
  const bytes = encodeEncoderInstruction({ kind: 'insert-literal', name: 'name', value: 'v'.repeat(300) }, 'never');
  assert.equal(p.push(bytes.subarray(0, 10)), []);
  assert.is(p.pending, 10);
  assert.equal(p.push(bytes.subarray(10, bytes.length - 1)), []);
  assert.is(p.push(bytes.subarray(bytes.length - 1)).length, 1);
  assert.is(p.pending, 0);
});

test('fast-check: arbitrary instruction sequences round-trip in random pieces', () => {
  const encIns: fc.Arbitrary<QpackEncoderInstruction> = fc.oneof(
    fc.record({ kind: fc.constant('set-capacity' as const), capacity: fc.nat() }),
    fc.record({ kind: fc.constant('insert-name-ref' as const), isStatic: fc.boolean(), index: fc.nat(98), value: fc.string({ maxLength: 40 }) }),
    fc.record({ kind: fc.constant('insert-literal' as const), name: fc.string({ maxLength: 20 }), value: fc.string({ maxLength: 40 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), index: fc.nat() }),
  );
  const decIns: fc.Arbitrary<QpackDecoderInstruction> = fc.oneof(
    fc.record({ kind: fc.constant('section-ack' as const), streamId: fc.maxSafeNat() }),
    fc.record({ kind: fc.constant('stream-cancel' as const), streamId: fc.maxSafeNat() }),
    fc.record({ kind: fc.constant('insert-count-increment' as const), increment: fc.maxSafeNat() }),
  );
  fc.assert(
    fc.property(fc.array(encIns, { maxLength: 8 }), fc.array(decIns, { maxLength: 8 }), fc.integer({ min: 1, max: 7 }), (esRaw, dsRaw, size) => {
      const es = esRaw.map((i) => ({ ...i }));
      const ds = dsRaw.map((i) => ({ ...i }));
      const we = new QpackByteWriter();
      for (const i of es) writeEncoderInstruction(we, i);
      const eb = we.take();
      assert.equal(parseEncoder(chunksOf(eb, size), 1 << 20), es);
      const wd = new QpackByteWriter();
      for (const i of ds) writeDecoderInstruction(wd, i);
      assert.equal(parseDecoder(chunksOf(wd.take(), size)), ds);
    }),
    { numRuns: 300 },
  );
});

test('encoder-stream errors: bad static index at once, strings above the limit, bad Huffman', () => {
  const isEnc = (e: unknown): boolean => e instanceof QpackError && e.code === ENC;
  // corpus err12: Insert With Name Reference, static index far beyond 98, value not yet sent
  assert.throws(() => new QpackEncoderStreamParser(4096).push(unhex('ff80ffffffff01')), isEnc);
  assert.throws(() => new QpackEncoderStreamParser(4096).push(unhex('ff24')), isEnc); // static 99
  assert.throws(() => new QpackEncoderStreamParser(100).push(unhex('c07f8101')), isEnc); // value length 256 > 100
  assert.throws(() => new QpackEncoderStreamParser(100).push(unhex('5f8101')), isEnc); // name length 160 > 100
  assert.throws(() => new QpackEncoderStreamParser(100).push(unhex('c081ff')), isEnc); // Huffman padding of 8 ones
});

test('fuzz: random bytes on either stream yield instructions or typed errors only', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      try {
        new QpackEncoderStreamParser(64).push(bytes);
      } catch (e) {
        assert.ok(e instanceof QpackError && e.code === ENC, String(e));
      }
      try {
        new QpackDecoderStreamParser().push(bytes);
      } catch (e) {
        assert.ok(e instanceof QpackError && e.code === DEC, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});

test.run();
