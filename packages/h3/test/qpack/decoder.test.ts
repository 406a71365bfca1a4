import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { chunksOf, loadVectors } from '@quicts/testkit';
import {
  type QpackDecodeResult, type QpackDecodedField, encodeEncoderInstruction, type QpackFieldLine, QpackByteWriter, QpackDecoder, QpackError,
  QpackErrorCode, writeQpackFieldLine, writeQpackSectionPrefix,
} from '@quicts/h3';
import { concat, hex, unhex } from './helpers.ts';

const FAILED = QpackErrorCode.QPACK_DECOMPRESSION_FAILED;
const ENC = QpackErrorCode.QPACK_ENCODER_STREAM_ERROR;
const isCode = (code: number) => (e: unknown): boolean => e instanceof QpackError && e.code === code;

const v = loadVectors('rfc/rfc9204.json');
type Step = { source: string; stream: number | string; bytes: string; decoded_field_section?: [string, string][] };
const steps: Step[] = v.steps;
const step = (section: string, stream: number | string): Step => steps.find((s) => s.source.endsWith(section) && s.stream === stream)!;
const pairs = (fields: readonly QpackDecodedField[]): [string, string][] => fields.map((f) => [f.name, f.value]);
const rows = (d: QpackDecoder): [number, string, string][] => d.table.snapshot().map((r) => [r.absoluteIndex, r.name, r.value]);

function done(r: QpackDecodeResult): [string, string][] {
  assert.is(r.kind, 'done');
  return r.kind === 'done' ? pairs(r.fields) : [];
}

function sectionBytes(ric: number, base: number, maxEntries: number, lines: QpackFieldLine[]): Uint8Array {
  const w = new QpackByteWriter();
  writeQpackSectionPrefix(w, ric, base, maxEntries);
  for (const l of lines) writeQpackFieldLine(w, l);
  return w.take();
}

test('RFC 9204 Appendix B, decoder side: every step, table states and decoder-stream bytes', () => {
  const d = new QpackDecoder({ maxTableCapacity: v.max_table_capacity, maxBlockedStreams: 100 });
  const states = v.dynamic_table_states;

  // B.1 Literal Field Line with Name Reference: no dynamic state, nothing to acknowledge
  const b1 = step('B.1', 0);
  assert.equal(done(d.decodeFieldSection(0, unhex(b1.bytes))), b1.decoded_field_section);
  assert.is(hex(d.takeDecoderStream()), '');

  // B.2 Dynamic Table: capacity + two inserts, then a section using post-base indices
  assert.equal(d.readEncoderStream(unhex(step('B.2', 'encoder_stream').bytes)), []);
  assert.equal(rows(d), states['after_B.2'].entries);
  assert.is(d.table.size, states['after_B.2'].size);
  const b2 = step('B.2', 4);
  assert.equal(done(d.decodeFieldSection(4, unhex(b2.bytes))), b2.decoded_field_section);
  assert.is(hex(d.takeDecoderStream()), step('B.2', 'decoder_stream').bytes); // 84
  assert.is(d.knownReceivedCount, states['after_B.2'].known_received_count_after_ack);

  // B.3 Speculative Insert: acknowledged with an Insert Count Increment
  d.readEncoderStream(unhex(step('B.3', 'encoder_stream').bytes));
  assert.equal(rows(d), states['after_B.3'].entries);
  assert.is(d.table.size, states['after_B.3'].size);
  assert.is(hex(d.takeDecoderStream()), step('B.3', 'decoder_stream').bytes); // 01

  // B.4 Duplicate, Stream Cancellation: the encoder-stream packet is delayed, so the section
  // blocks; the stream is then cancelled
  const b4 = step('B.4', 8);
  const r = d.decodeFieldSection(8, unhex(b4.bytes));
  assert.equal(r, { kind: 'blocked', streamId: 8, requiredInsertCount: 4 });
  assert.is(d.blockedStreamCount, 1);
  d.cancelStream(8);
  assert.is(d.blockedStreamCount, 0);
  assert.is(hex(d.takeDecoderStream()), step('B.4', 'decoder_stream').bytes); // 48
  assert.equal(d.readEncoderStream(unhex(step('B.4', 'encoder_stream').bytes)), []); // the dropped section stays dropped
  assert.equal(rows(d), states['after_B.4'].entries);
  assert.is(d.table.size, states['after_B.4'].size);

  // B.5 Dynamic Table Insert, Eviction
  d.readEncoderStream(unhex(step('B.5', 'encoder_stream').bytes));
  assert.equal(rows(d), states['after_B.5'].entries);
  assert.is(d.table.size, states['after_B.5'].size);
  assert.is(d.table.droppedCount, 1);
  assert.is(hex(d.takeDecoderStream()), '02'); // Insert Count Increment for the two new entries
});

test('RFC 9204 Appendix B.4 in order: the section decodes and is acknowledged', () => {
  const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 0 });
  for (const s of steps) {
    if (s.stream === 'encoder_stream') d.readEncoderStream(unhex(s.bytes));
    else if (typeof s.stream === 'number') assert.equal(done(d.decodeFieldSection(s.stream, unhex(s.bytes))), s.decoded_field_section);
    if (s.source.endsWith('B.4') && s.stream === 8) break;
  }
  // ack 4 and ack 8; acknowledging RIC 4 covers all inserts, so no Insert Count Increment is needed
  assert.is(hex(d.takeDecoderStream()), '8488');
});

test('a blocked section resumes when its inserts arrive, encoder stream fed one byte at a time', () => {
  const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 2 });
  const enc = unhex(step('B.2', 'encoder_stream').bytes);
  assert.is(d.decodeFieldSection(4, unhex(step('B.2', 4).bytes)).kind, 'blocked');
  const resumed = chunksOf(enc, 1).flatMap((b) => d.readEncoderStream(b));
  assert.is(resumed.length, 1);
  assert.is(resumed[0]!.streamId, 4);
  assert.equal(pairs(resumed[0]!.fields), step('B.2', 4).decoded_field_section);
  assert.is(d.blockedStreamCount, 0);
  assert.is(hex(d.takeDecoderStream()), '84');
});

test('sections unblock in order; a later section on a blocked stream waits behind it', () => {
  const d = new QpackDecoder({ maxTableCapacity: 4096, maxBlockedStreams: 2 });
  const me = 4096 / 32;
  d.readEncoderStream(encodeEncoderInstruction({ kind: 'set-capacity', capacity: 4096 }));
  const ref = (abs: number): QpackFieldLine[] => [{ kind: 'indexed', isStatic: false, index: abs }];
  // stream 1 needs 2 inserts, stream 2 needs 1; stream 1 also sends a static-only section after
  assert.is(d.decodeFieldSection(1, sectionBytes(2, 2, me, ref(0))).kind, 'blocked'); // abs 1
  assert.is(d.decodeFieldSection(2, sectionBytes(1, 1, me, ref(0))).kind, 'blocked'); // abs 0
  assert.is(d.decodeFieldSection(1, sectionBytes(0, 0, me, [{ kind: 'indexed', isStatic: true, index: 17 }])).kind, 'blocked');
  assert.is(d.blockedStreamCount, 2);
  // a third blocked stream exceeds the limit (RFC 9204 §2.1.2)
  assert.throws(() => d.decodeFieldSection(3, sectionBytes(1, 1, me, ref(0))), isCode(FAILED));
  const first = d.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'a', value: '0' }));
  assert.equal(first.map((s) => [s.streamId, pairs(s.fields)]), [[2, [['a', '0']]]]);
  const second = d.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'b', value: '1' }));
  assert.equal(second.map((s) => [s.streamId, pairs(s.fields)]), [[1, [['b', '1']]], [1, [[':method', 'GET']]]]);
  assert.is(hex(d.takeDecoderStream()), '8281'); // acks; both inserts covered by the acknowledgment of RIC 2
});

test('maxBlockedStreams 0: any section that would block is an error', () => {
  const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 0 });
  assert.throws(() => d.decodeFieldSection(4, unhex(step('B.2', 4).bytes)), isCode(FAILED));
});

test('encoder-stream limits: capacity above the maximum, entry above capacity, bad references', () => {
  const d = () => {
    const x = new QpackDecoder({ maxTableCapacity: 100, maxBlockedStreams: 0 });
    x.readEncoderStream(unhex('3f45')); // capacity 100
    return x;
  };
  assert.throws(() => d().readEncoderStream(unhex('3f46')), isCode(ENC)); // 101
  assert.throws(() => new QpackDecoder({ maxTableCapacity: 0, maxBlockedStreams: 0 }).readEncoderStream(unhex('21')), isCode(ENC));
  assert.throws(() => d().readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'n', value: 'v'.repeat(68) })), isCode(ENC)); // 101 bytes
  d().readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'n', value: 'v'.repeat(67) })); // exactly 100
  assert.throws(() => d().readEncoderStream(unhex('01')), isCode(ENC)); // duplicate with an empty table (corpus err11)
  assert.throws(() => d().readEncoderStream(unhex('8000')), isCode(ENC)); // dynamic name ref, empty table
  assert.throws(() => d().readEncoderStream(unhex('ff2400')), isCode(ENC)); // static name 99
  // a dynamic reference to an evicted entry
  const x = d();
  x.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'a', value: 'x'.repeat(40) }));
  x.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'b', value: 'x'.repeat(40) })); // evicts a
  assert.is(x.table.length, 1);
  assert.throws(() => x.readEncoderStream(unhex('01')), isCode(ENC));
});

test('field-section limits: static index, references beyond the Required Insert Count or evicted, size limit', () => {
  const make = (maxFieldSectionSize?: number) => {
    const d = new QpackDecoder({ maxTableCapacity: 100, maxBlockedStreams: 10, ...(maxFieldSectionSize === undefined ? {} : { maxFieldSectionSize }) });
    d.readEncoderStream(unhex('3f45'));
    d.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'a', value: '1' }));
    d.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'b', value: '2' }));
    return d;
  };
  const me = 3;
  const bad = (bytes: Uint8Array, d = make()) => assert.throws(() => d.decodeFieldSection(1, bytes), isCode(FAILED), hex(bytes));
  bad(sectionBytes(0, 0, me, [{ kind: 'indexed', isStatic: true, index: 99 }]));
  bad(sectionBytes(0, 0, me, [{ kind: 'literal-name-ref', isStatic: true, index: 200, neverIndex: false, value: '' }]));
  bad(sectionBytes(1, 1, me, [{ kind: 'indexed', isStatic: false, index: 1 }])); // abs -1
  bad(sectionBytes(1, 2, me, [{ kind: 'indexed', isStatic: false, index: 0 }])); // abs 1 >= RIC 1
  bad(sectionBytes(1, 0, me, [{ kind: 'indexed-post-base', index: 1 }])); // abs 1 >= RIC 1
  bad(sectionBytes(1, 0, me, [{ kind: 'literal-post-base-name-ref', index: 1, neverIndex: false, value: '' }]));
  bad(sectionBytes(0, 0, me, [{ kind: 'indexed', isStatic: false, index: 0 }])); // dynamic with RIC 0 (corpus err5, err8)
  bad(unhex('0000ff')); // truncated index
  bad(unhex('00')); // truncated prefix
  bad(unhex('0781')); // encoded RIC 7 > FullRange 6
  // evicted entry: insert two more 34-byte entries into the 100-byte table, then reference abs 0
  const d = make();
  d.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'c', value: '3' }));
  d.readEncoderStream(encodeEncoderInstruction({ kind: 'insert-literal', name: 'd', value: '4' }));
  bad(sectionBytes(4, 4, me, [{ kind: 'indexed', isStatic: false, index: 3 }]), d);
  assert.equal(done(d.decodeFieldSection(1, sectionBytes(4, 4, me, [{ kind: 'indexed', isStatic: false, index: 0 }]))), [['d', '4']]);
  // field section size: (':method','GET') counts 7 + 3 + 32 = 42 (RFC 9114 §4.2.2)
  const get: QpackFieldLine = { kind: 'indexed', isStatic: true, index: 17 };
  done(make(84).decodeFieldSection(1, sectionBytes(0, 0, me, [get, get])));
  bad(sectionBytes(0, 0, me, [get, get]), make(83));
  bad(sectionBytes(0, 0, me, [{ kind: 'literal', name: 'x', value: 'y'.repeat(100), neverIndex: false }]), make(120));
});

test('the N bit is reported on literals; Huffman and raw strings decode alike', () => {
  const d = new QpackDecoder({ maxTableCapacity: 0, maxBlockedStreams: 0 });
  const lines: QpackFieldLine[] = [
    { kind: 'literal-name-ref', isStatic: true, index: 84, neverIndex: true, value: 'Bearer x' },
    { kind: 'literal', name: 'x-a', value: 'ümlaut ✓', neverIndex: false },
  ];
  for (const mode of ['never', 'always'] as const) {
    const w = new QpackByteWriter();
    writeQpackSectionPrefix(w, 0, 0, 0);
    for (const l of lines) writeQpackFieldLine(w, l, mode);
    const r = d.decodeFieldSection(1, w.take());
    assert.equal(r.kind === 'done' && r.fields, [
      { name: 'authorization', value: 'Bearer x', neverIndex: true },
      { name: 'x-a', value: 'ümlaut ✓', neverIndex: false },
    ]);
  }
});

test('cancelStream sends nothing when our table capacity is 0 (RFC 9204 §2.2.2.2)', () => {
  const d = new QpackDecoder({ maxTableCapacity: 0, maxBlockedStreams: 0 });
  d.cancelStream(4);
  assert.is(d.takeDecoderStream().length, 0);
});

test('fuzz: random field sections and encoder-stream bytes fail only with typed errors', () => {
  const base = () => {
    const d = new QpackDecoder({ maxTableCapacity: 256, maxBlockedStreams: 3, maxFieldSectionSize: 1000 });
    d.readEncoderStream(concat(unhex('3f e1 01'), encodeEncoderInstruction({ kind: 'insert-literal', name: 'a', value: 'b' })));
    return d;
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ maxLength: 30 }), (section, encoder) => {
      const d = base();
      try {
        d.decodeFieldSection(1, section);
      } catch (e) {
        assert.ok(isCode(FAILED)(e), String(e));
      }
      try {
        d.readEncoderStream(encoder);
      } catch (e) {
        assert.ok(e instanceof QpackError, String(e));
      }
    }),
    { numRuns: 3000 },
  );
});

test('every truncation of a valid section is rejected with a typed error', () => {
  const bytes = unhex(step('B.1', 0).bytes); // prefix 0000, then one 13-byte literal
  const d = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 100 });
  for (let n = 0; n < bytes.length; n++) {
    if (n === 2) continue; // the bare prefix is a valid empty section
    assert.throws(() => d.decodeFieldSection(8, bytes.subarray(0, n)), isCode(FAILED), `cut at ${n}`);
  }
  assert.equal(done(d.decodeFieldSection(8, bytes.subarray(0, 2))), []);
});

test.run();
