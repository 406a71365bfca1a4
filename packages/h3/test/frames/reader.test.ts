import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { chunksOf, everySplit, joinPieces } from '@quicts/testkit';
import { encodeH3Frame, H3Error, H3ErrorCode, type H3Frame, H3FrameReader, type H3FrameReaderItem, h3ReservedCode } from '@quicts/h3';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const isCode = (code: number, scope = 'connection') => (e: unknown): boolean => e instanceof H3Error && e.code === code && e.scope === scope;

/** A readable summary of items, with DATA pieces joined per frame. */
function summarize(items: H3FrameReaderItem[]): string[] {
  const out: string[] = [];
  let data: Uint8Array[] = [];
  for (const item of items) {
    if (item.kind === 'data') {
      data.push(item.data.slice());
      if (item.end) {
        out.push(`data:${hex(joinPieces(data))}`);
        data = [];
      }
    } else if (item.kind === 'skipped') {
      out.push(`skipped:${item.type}:${item.length}`);
    } else {
      out.push(`${item.frame.kind}:${JSON.stringify(item.frame, (_k, v) => (v instanceof Uint8Array ? hex(v) : v))}`);
    }
  }
  return out;
}

function feed(reader: H3FrameReader, pieces: Uint8Array[]): H3FrameReaderItem[] {
  const out: H3FrameReaderItem[] = [];
  for (const p of pieces) out.push(...reader.push(p));
  return out;
}

const FRAMES: H3Frame[] = [
  { kind: 'settings', entries: [{ id: 1, value: 4096 }, { id: 0x33, value: 1 }, { id: h3ReservedCode(9), value: 77 }] },
  { kind: 'unknown', type: h3ReservedCode(3), payload: Uint8Array.of(1, 2, 3, 4) },
  { kind: 'headers', fieldSection: Uint8Array.of(0, 0, 0xd1, 0xd7) },
  { kind: 'data', data: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) },
  { kind: 'data', data: new Uint8Array(0) },
  { kind: 'push-promise', pushId: 70000, fieldSection: Uint8Array.of(0, 0, 0xc1) },
  { kind: 'cancel-push', pushId: 2 },
  { kind: 'goaway', id: 1 << 20 },
  { kind: 'max-push-id', pushId: 0 },
  { kind: 'unknown', type: 0x0c, payload: new Uint8Array(0) },
];
const STREAM = joinPieces(FRAMES.map(encodeH3Frame));

test('one byte at a time gives the same items as the whole stream', () => {
  const whole = summarize(new H3FrameReader().push(STREAM));
  assert.is(whole.length, FRAMES.length);
  assert.ok(whole[0]!.startsWith('settings:'));
  assert.is(whole[1], `skipped:${h3ReservedCode(3)}:4`);
  assert.is(whole[4], 'data:');
  const reader = new H3FrameReader();
  assert.equal(summarize(feed(reader, chunksOf(STREAM, 1))), whole);
  assert.ok(reader.atFrameBoundary);
  for (const size of [2, 3, 7, 64]) assert.equal(summarize(feed(new H3FrameReader(), chunksOf(STREAM, size))), whole, `chunks of ${size}`);
});

test('every two-piece split gives the same items', () => {
  const whole = summarize(new H3FrameReader().push(STREAM));
  for (const [a, b] of everySplit(STREAM)) assert.equal(summarize(feed(new H3FrameReader(), [a, b])), whole);
});

test('DATA payloads are streamed as views, never buffered whole', () => {
  const payload = new Uint8Array(100_000).fill(7);
  const bytes = encodeH3Frame({ kind: 'data', data: payload });
  const reader = new H3FrameReader();
  const first = reader.push(bytes.subarray(0, 10));
  assert.is(first.length, 1);
  const item = first[0]!;
  assert.ok(item.kind === 'data' && !item.end && item.data.length === 10 - 5, 'type (1) and length (4) read, 5 payload bytes streamed');
  const chunk = bytes.subarray(10, 50_010);
  const second = reader.push(chunk);
  assert.ok(second[0]!.kind === 'data' && second[0]!.data.buffer === chunk.buffer, 'a view of the input');
  const rest = reader.push(bytes.subarray(50_010));
  assert.ok(rest[0]!.kind === 'data' && rest[0]!.end);
  assert.ok(reader.atFrameBoundary);
});

test('finish() rejects a stream ending inside a frame (H3_FRAME_ERROR)', () => {
  const bytes = encodeH3Frame({ kind: 'headers', fieldSection: Uint8Array.of(0, 0, 0xd1) });
  for (let i = 1; i < bytes.length; i++) {
    const reader = new H3FrameReader();
    reader.push(bytes.subarray(0, i));
    assert.not.ok(reader.atFrameBoundary);
    assert.throws(() => reader.finish(), isCode(H3ErrorCode.H3_FRAME_ERROR));
  }
  const ok = new H3FrameReader();
  ok.push(bytes);
  ok.finish();
  // A varint type cut in the middle also counts.
  const cut = new H3FrameReader();
  cut.push(Uint8Array.of(0x40));
  assert.throws(() => cut.finish(), isCode(H3ErrorCode.H3_FRAME_ERROR));
});

test('size limits: HEADERS and PUSH_PROMISE (stream error), SETTINGS (connection error)', () => {
  const reader = new H3FrameReader({ maxFieldSectionFrame: 100, maxSettingsFrame: 10 });
  reader.push(encodeH3Frame({ kind: 'headers', fieldSection: new Uint8Array(100) }));
  assert.throws(() => new H3FrameReader({ maxFieldSectionFrame: 100 }).push(Uint8Array.of(0x01, 0x40, 0x65)), isCode(H3ErrorCode.H3_EXCESSIVE_LOAD, 'stream'));
  assert.throws(() => new H3FrameReader({ maxFieldSectionFrame: 100 }).push(Uint8Array.of(0x05, 0x80, 0x10, 0, 0)), isCode(H3ErrorCode.H3_EXCESSIVE_LOAD, 'stream'));
  assert.throws(() => new H3FrameReader({ maxSettingsFrame: 10 }).push(Uint8Array.of(0x04, 0x0b)), isCode(H3ErrorCode.H3_EXCESSIVE_LOAD));
  // Before any payload byte: the announced length is enough.
  assert.throws(() => new H3FrameReader().push(Uint8Array.of(0x01, 0xbf, 0xff, 0xff, 0xff)), isCode(H3ErrorCode.H3_EXCESSIVE_LOAD, 'stream'));
});

test('single-varint frames with impossible lengths are H3_FRAME_ERROR at once', () => {
  for (const type of [0x03, 0x07, 0x0d]) {
    assert.throws(() => new H3FrameReader().push(Uint8Array.of(type, 0)), isCode(H3ErrorCode.H3_FRAME_ERROR));
    assert.throws(() => new H3FrameReader().push(Uint8Array.of(type, 9)), isCode(H3ErrorCode.H3_FRAME_ERROR));
  }
});

test('unknown frames of any size are skipped without buffering', () => {
  const reader = new H3FrameReader({ maxFieldSectionFrame: 10, maxSettingsFrame: 10 });
  const items = reader.push(Uint8Array.of(0x21, 0x80, 0x10, 0x00, 0x00)); // 1 MiB announced
  assert.equal(summarize(items), [`skipped:33:${0x100000}`]);
  for (let i = 0; i < 16; i++) assert.equal(reader.push(new Uint8Array(65536)), []);
  assert.ok(reader.atFrameBoundary);
  assert.equal(summarize(reader.push(encodeH3Frame({ kind: 'goaway', id: 4 }))), ['goaway:{"kind":"goaway","id":4}']);
});

test('HTTP/2 frame types are rejected on their type byte', () => {
  for (const type of [0x02, 0x06, 0x08, 0x09]) {
    assert.throws(() => new H3FrameReader().push(Uint8Array.of(type)), isCode(H3ErrorCode.H3_FRAME_UNEXPECTED));
  }
});

test('onFrameStart sees each frame type and length before the payload', () => {
  const seen: [number, number][] = [];
  const reader = new H3FrameReader({ onFrameStart: (t, l) => seen.push([t, l]) });
  feed(reader, chunksOf(STREAM, 1));
  assert.equal(seen.map(([t]) => t), [0x04, h3ReservedCode(3), 0x01, 0x00, 0x00, 0x05, 0x03, 0x07, 0x0d, 0x0c]);
  assert.equal(seen[3], [0x00, 300]);
  const veto = new H3FrameReader({ onFrameStart: (t) => { if (t === 0x00) throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, 'no DATA here'); } });
  assert.throws(() => veto.push(Uint8Array.of(0x00, 0x05)), isCode(H3ErrorCode.H3_FRAME_UNEXPECTED));
});

test('random input in random pieces only ever throws H3Error (fuzz)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 17 }), (bytes, size) => {
    const reader = new H3FrameReader({ maxFieldSectionFrame: 64, maxSettingsFrame: 64 });
    try {
      feed(reader, chunksOf(bytes, size));
      reader.finish();
    } catch (e) {
      return e instanceof H3Error;
    }
    return true;
  }), { numRuns: 3000 });
});

test('valid frame sequences read identically in random pieces (fast-check)', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: FRAMES.length - 1 }), { maxLength: 12 }), fc.integer({ min: 1, max: 9 }), (picks, size) => {
    const bytes = joinPieces(picks.map((i) => encodeH3Frame(FRAMES[i]!)));
    const a = summarize(new H3FrameReader().push(bytes));
    const b = summarize(feed(new H3FrameReader(), chunksOf(bytes.length ? bytes : new Uint8Array(0), size)));
    return JSON.stringify(a) === JSON.stringify(b) && a.length === picks.length;
  }));
});

test.run();
