import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadVectors } from '@quicts/testkit';
import {
  encodeDecoderInstruction, QpackFieldSectionReader, QpackDecoder, QpackEncoder, QpackError, QpackErrorCode, type QpackField,
} from '@quicts/h3';
import { hex, unhex } from './helpers.ts';

const DEC = QpackErrorCode.QPACK_DECODER_STREAM_ERROR;
const v = loadVectors('rfc/rfc9204.json');
const stepBytes = (section: string, stream: number | string): string =>
  v.steps.find((s: { source: string; stream: unknown }) => s.source.endsWith(section) && s.stream === stream).bytes;
const f = (name: string, value: string, neverIndex?: boolean): QpackField => (neverIndex === undefined ? { name, value } : { name, value, neverIndex });
const refs = (e: QpackEncoder): [number, string, number][] => e.table.snapshot().map((r) => [r.absoluteIndex, r.name, r.refs]);

test('RFC 9204 Appendix B.1-B.4, encoder side: the same bytes and reference counts', () => {
  const e = new QpackEncoder({ huffman: 'never', shouldIndex: () => true });
  // B.1: before the peer's SETTINGS arrive only the static table may be used
  let r = e.encode(0, [f(':path', '/index.html')]);
  assert.is(hex(r.fieldSection), stepBytes('B.1', 0));
  assert.is(r.encoderStream.length, 0);
  // B.2
  e.setPeerSettings({ maxTableCapacity: 220, maxBlockedStreams: 100 });
  r = e.encode(4, [f(':authority', 'www.example.com'), f(':path', '/sample/path')]);
  assert.is(hex(r.encoderStream), stepBytes('B.2', 'encoder_stream'));
  assert.is(hex(r.fieldSection), stepBytes('B.2', 4));
  assert.is(r.requiredInsertCount, 2);
  assert.equal(refs(e), [[0, ':authority', 1], [1, ':path', 1]]);
  assert.is(e.knownReceivedCount, 0);
  assert.is(e.blockingStreamCount, 1);
  e.readDecoderStream(unhex(stepBytes('B.2', 'decoder_stream'))); // 84
  assert.equal(refs(e), [[0, ':authority', 0], [1, ':path', 0]]);
  assert.is(e.knownReceivedCount, 2);
  assert.is(e.blockingStreamCount, 0);
  // B.3: speculative insert, acknowledged by an Insert Count Increment
  assert.ok(e.insert('custom-key', 'custom-value'));
  assert.is(hex(e.takeEncoderStream()), stepBytes('B.3', 'encoder_stream'));
  assert.is(e.table.size, 160);
  e.readDecoderStream(unhex(stepBytes('B.3', 'decoder_stream'))); // 01
  assert.is(e.knownReceivedCount, 3);
  // B.4: a section referencing three entries, then cancelled
  r = e.encode(8, [f(':authority', 'www.example.com'), f(':path', '/'), f('custom-key', 'custom-value')]);
  const decoded = new QpackDecoder({ maxTableCapacity: 220, maxBlockedStreams: 100 });
  for (const s of [stepBytes('B.2', 'encoder_stream'), stepBytes('B.3', 'encoder_stream')]) decoded.readEncoderStream(unhex(s));
  decoded.readEncoderStream(r.encoderStream);
  const out = decoded.decodeFieldSection(8, r.fieldSection);
  assert.equal(out.kind === 'done' && out.fields.map((x) => [x.name, x.value]), [[':authority', 'www.example.com'], [':path', '/'], ['custom-key', 'custom-value']]);
  assert.ok(refs(e).some(([, , n]) => n > 0));
  e.readDecoderStream(unhex(stepBytes('B.4', 'decoder_stream'))); // 48: Stream Cancellation
  assert.ok(refs(e).every(([, , n]) => n === 0));
});

test('without dynamic table (peer capacity 0) nothing goes on the encoder stream', () => {
  const e = new QpackEncoder();
  e.setPeerSettings({ maxTableCapacity: 0, maxBlockedStreams: 100 });
  for (let i = 0; i < 3; i++) {
    const r = e.encode(i * 4, [f(':authority', 'example.com'), f('user-agent', 'test'), f('x-custom', 'v')]);
    assert.is(r.encoderStream.length, 0);
    assert.is(r.requiredInsertCount, 0);
  }
});

test('maxBlockedStreams 0: only acknowledged entries are referenced', () => {
  const e = new QpackEncoder();
  e.setPeerSettings({ maxTableCapacity: 4096, maxBlockedStreams: 0 });
  const d = new QpackDecoder({ maxTableCapacity: 4096, maxBlockedStreams: 0 });
  const fields = [f(':authority', 'example.com'), f('user-agent', 'agent/1.0')];
  const r1 = e.encode(0, fields);
  assert.ok(r1.encoderStream.length > 0); // inserted for later
  assert.is(r1.requiredInsertCount, 0); // but not referenced
  // the section decodes even before the encoder stream arrives: it cannot block
  assert.is(d.decodeFieldSection(0, r1.fieldSection).kind, 'done');
  d.readEncoderStream(r1.encoderStream);
  const r2 = e.encode(4, fields);
  assert.is(r2.requiredInsertCount, 0); // still unacknowledged
  e.readDecoderStream(d.takeDecoderStream()); // Insert Count Increment
  const r3 = e.encode(8, fields);
  assert.is(r3.requiredInsertCount, 2);
  assert.ok(r3.fieldSection.length < r1.fieldSection.length);
  const out = d.decodeFieldSection(8, r3.fieldSection);
  assert.equal(out.kind === 'done' && out.fields.map((x) => x.value), ['example.com', 'agent/1.0']);
});

test('the blocked-streams budget is respected: a second stream does not reference unacknowledged entries', () => {
  const e = new QpackEncoder();
  e.setPeerSettings({ maxTableCapacity: 4096, maxBlockedStreams: 1 });
  const fields = [f(':authority', 'example.com'), f('user-agent', 'agent/1.0')];
  const r1 = e.encode(0, fields);
  assert.is(r1.requiredInsertCount, 2);
  assert.is(e.blockingStreamCount, 1);
  const r2 = e.encode(4, fields);
  assert.is(r2.requiredInsertCount, 0);
  // the same stream may keep referencing them (it is already counted)
  assert.is(e.encode(0, fields).requiredInsertCount, 2);
  e.readDecoderStream(encodeDecoderInstruction({ kind: 'insert-count-increment', increment: 2 }));
  assert.is(e.blockingStreamCount, 0);
  assert.is(e.encode(8, fields).requiredInsertCount, 2);
});

test('sensitive fields are never indexed and carry the N bit; huge values are not inserted', () => {
  const e = new QpackEncoder();
  e.setPeerSettings({ maxTableCapacity: 4096, maxBlockedStreams: 100 });
  const d = new QpackDecoder({ maxTableCapacity: 4096, maxBlockedStreams: 100 });
  const fields = [
    f('authorization', 'Bearer abcdef'),
    f('set-cookie', 'id=1; Secure'),
    f('cookie', 'a=1'), // short cookie: low entropy
    f('x-secret', 'hunter2', true), // caller's choice
    f('x-huge', 'v'.repeat(4000)),
    f('cookie', 'session=0123456789abcdef0123456789'), // long cookie: indexed
  ];
  for (let i = 0; i < 3; i++) {
    const r = e.encode(4 * i, fields);
    d.readEncoderStream(r.encoderStream);
    const out = d.decodeFieldSection(4 * i, r.fieldSection);
    assert.equal(out.kind === 'done' && out.fields.map((x) => x.neverIndex), [true, true, true, true, false, false]);
  }
  const names = e.table.snapshot().map((r) => r.name);
  assert.equal(names, ['cookie']);
  const reader = new QpackFieldSectionReader();
  const lines = reader.push(e.encode(20, fields).fieldSection);
  assert.equal(lines.map((l) => l.kind), ['literal-name-ref', 'literal-name-ref', 'literal-name-ref', 'literal', 'literal', 'indexed']);
});

test('an entry about to be evicted is duplicated rather than referenced (RFC 9204 §2.1.1.1)', () => {
  const e = new QpackEncoder({ shouldIndex: () => true, drainingFraction: 0.3 });
  e.setPeerSettings({ maxTableCapacity: 200, maxBlockedStreams: 100 });
  const d = new QpackDecoder({ maxTableCapacity: 200, maxBlockedStreams: 100 });
  const send = (id: number, fields: QpackField[]) => {
    const r = e.encode(id, fields);
    const unblocked = d.readEncoderStream(r.encoderStream);
    assert.equal(unblocked, []);
    const out = d.decodeFieldSection(id, r.fieldSection);
    e.readDecoderStream(d.takeDecoderStream());
    assert.equal(out.kind === 'done' && out.fields.map((x) => x.value), fields.map((x) => x.value));
    return r;
  };
  send(0, [f('x-a', 'a'.repeat(10))]); // 45 bytes, the oldest
  send(4, [f('x-b', 'b'.repeat(10)), f('x-c', 'c'.repeat(10)), f('x-d', 'd'.repeat(10))]); // table 180/200
  const r = send(8, [f('x-a', 'a'.repeat(10))]);
  assert.is(hex(r.encoderStream.subarray(0, 1)), '03'); // Duplicate, relative index 3
  assert.equal(e.table.snapshot().map((x) => x.name), ['x-b', 'x-c', 'x-d', 'x-a']);
});

test('decoder-stream errors: unknown acknowledgment, zero or excessive increment', () => {
  const isDec = (x: unknown): boolean => x instanceof QpackError && x.code === DEC;
  const e = new QpackEncoder();
  e.setPeerSettings({ maxTableCapacity: 4096, maxBlockedStreams: 10 });
  assert.throws(() => e.readDecoderStream(unhex('84')), isDec);
  assert.throws(() => e.readDecoderStream(unhex('00')), isDec);
  e.encode(0, [f(':authority', 'a.example')]); // one insert
  assert.throws(() => e.readDecoderStream(unhex('02')), isDec);
  e.readDecoderStream(unhex('80')); // ack stream 0
  assert.throws(() => e.readDecoderStream(unhex('80')), isDec); // nothing left to acknowledge
  e.readDecoderStream(unhex('4c')); // cancelling an unknown stream is fine
});

/** Encoder and decoder connected by in-flight queues, with random delivery order. */
function simulate(lists: QpackField[][], capacity: number, blocked: number, choices: number[]): void {
  const e = new QpackEncoder({ maxTableCapacity: capacity });
  e.setPeerSettings({ maxTableCapacity: capacity, maxBlockedStreams: blocked });
  const d = new QpackDecoder({ maxTableCapacity: capacity, maxBlockedStreams: blocked });
  const toDecoder: Uint8Array[] = [];
  const pending = new Map<number, QpackField[]>();
  let k = 0;
  const choice = (): number => choices[k++ % choices.length]!;
  const check = (streamId: number, fields: readonly { name: string; value: string }[]) => {
    assert.equal(fields.map((x) => [x.name, x.value]), pending.get(streamId)!.map((x) => [x.name, x.value]));
    pending.delete(streamId);
  };
  const deliverEncoder = () => {
    for (const b of toDecoder.splice(0)) for (const s of d.readEncoderStream(b)) check(s.streamId, s.fields);
  };
  lists.forEach((fields, i) => {
    const id = 4 * (i + 1);
    const r = e.encode(id, fields);
    toDecoder.push(r.encoderStream);
    pending.set(id, fields);
    if (choice() % 2 === 0) deliverEncoder(); // otherwise the section overtakes the encoder stream
    const out = d.decodeFieldSection(id, r.fieldSection);
    if (out.kind === 'done') check(id, out.fields);
    if (choice() % 3 !== 0) e.readDecoderStream(d.takeDecoderStream()); // otherwise acks are late
  });
  deliverEncoder();
  e.readDecoderStream(d.takeDecoderStream());
  assert.is(pending.size, 0);
  assert.is(d.blockedStreamCount, 0);
}

test('fast-check: arbitrary header lists round-trip through encoder and decoder under random settings and delivery', () => {
  const name = fc.oneof(fc.constantFrom(':authority', ':path', 'user-agent', 'cookie', 'accept', 'x-a', 'authorization', 'content-length'), fc.stringMatching(/^[a-z-]{1,12}$/));
  const value = fc.oneof(fc.constantFrom('', '/', 'GET', 'example.com', 'v'), fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 10 }));
  const field = fc.record({ name, value });
  fc.assert(
    fc.property(
      fc.array(fc.array(field, { maxLength: 8 }), { maxLength: 25 }),
      fc.constantFrom(0, 64, 100, 256, 512, 4096),
      fc.constantFrom(0, 1, 2, 100),
      fc.array(fc.nat(5), { minLength: 1, maxLength: 10 }),
      (lists, capacity, blocked, choices) => simulate(lists.map((l) => l.map((x) => ({ ...x }))), capacity, blocked, choices),
    ),
    { numRuns: 300 },
  );
});

test.run();
