import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  decodeH3Frame, decodeH3FramePayload, encodeH3Frame, encodeH3FrameHeader, H3Error, H3ErrorCode, type H3Frame, h3FrameTypeName,
  h3ReservedCode, isH3Reserved,
} from '@quicts/h3';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const isCode = (code: number) => (e: unknown): boolean => e instanceof H3Error && e.code === code && e.scope === 'connection';

/** Frames with their encodings derived by hand from RFC 9114 §7.2. */
const VECTORS: [string, H3Frame][] = [
  ['00026869', { kind: 'data', data: Uint8Array.of(0x68, 0x69) }],
  ['0000', { kind: 'data', data: new Uint8Array(0) }],
  ['010300 00d1'.replace(' ', ''), { kind: 'headers', fieldSection: Uint8Array.of(0x00, 0x00, 0xd1) }],
  ['030105', { kind: 'cancel-push', pushId: 5 }],
  ['0405015000 0710'.replace(' ', ''), { kind: 'settings', entries: [{ id: 1, value: 4096 }, { id: 7, value: 16 }] }],
  ['0400', { kind: 'settings', entries: [] }],
  ['0504030000d1', { kind: 'push-promise', pushId: 3, fieldSection: Uint8Array.of(0x00, 0x00, 0xd1) }],
  ['070108', { kind: 'goaway', id: 8 }],
  ['07024064', { kind: 'goaway', id: 100 }],
  ['0d010a', { kind: 'max-push-id', pushId: 10 }],
  ['2101ab', { kind: 'unknown', type: 0x21, payload: Uint8Array.of(0xab) }],
  ['405f00', { kind: 'unknown', type: 0x5f, payload: new Uint8Array(0) }],
  ['0c00', { kind: 'unknown', type: 0x0c, payload: new Uint8Array(0) }],
];

const norm = (f: H3Frame): unknown => JSON.parse(JSON.stringify(f, (_k, v) => (v instanceof Uint8Array ? hex(v) : v)));

test('encode and decode match hand-derived bytes for every frame type', () => {
  for (const [bytes, frame] of VECTORS) {
    assert.is(hex(encodeH3Frame(frame)), bytes, frame.kind);
    const d = decodeH3Frame(unhex(bytes));
    assert.ok(d !== null);
    assert.is(d!.size, bytes.length / 2);
    assert.equal(norm(d!.frame), norm(frame), frame.kind);
  }
});

test('frame headers alone, for streamed DATA', () => {
  assert.is(hex(encodeH3FrameHeader(0x00, 5)), '0005');
  assert.is(hex(encodeH3FrameHeader(0x01, 300)), '01412c');
  assert.is(hex(encodeH3FrameHeader(0x5f, 0)), '405f00');
});

test('every truncation of a valid frame decodes to null (need more bytes)', () => {
  for (const [bytes] of VECTORS) {
    const all = unhex(bytes);
    for (let i = 0; i < all.length; i++) assert.is(decodeH3Frame(all.subarray(0, i)), null, `${bytes} cut at ${i}`);
  }
});

test('single-varint payloads with extra or missing bytes are H3_FRAME_ERROR', () => {
  for (const type of [0x03, 0x07, 0x0d]) {
    assert.throws(() => decodeH3FramePayload(type, Uint8Array.of(0x05, 0x00)), isCode(H3ErrorCode.H3_FRAME_ERROR));
    assert.throws(() => decodeH3FramePayload(type, Uint8Array.of(0x40)), isCode(H3ErrorCode.H3_FRAME_ERROR));
    assert.throws(() => decodeH3FramePayload(type, new Uint8Array(0)), isCode(H3ErrorCode.H3_FRAME_ERROR));
  }
  assert.throws(() => decodeH3FramePayload(0x05, new Uint8Array(0)), isCode(H3ErrorCode.H3_FRAME_ERROR));
  assert.throws(() => decodeH3FramePayload(0x04, Uint8Array.of(0x01)), isCode(H3ErrorCode.H3_FRAME_ERROR));
});

test('HTTP/2 frame types are H3_FRAME_UNEXPECTED', () => {
  for (const type of [0x02, 0x06, 0x08, 0x09]) {
    assert.throws(() => decodeH3FramePayload(type, new Uint8Array(0)), isCode(H3ErrorCode.H3_FRAME_UNEXPECTED));
    assert.throws(() => decodeH3Frame(Uint8Array.of(type)), isCode(H3ErrorCode.H3_FRAME_UNEXPECTED), 'on the type alone');
  }
});

test('reserved frame types: 0x1f * N + 0x21', () => {
  assert.is(h3ReservedCode(0), 0x21);
  assert.is(h3ReservedCode(1), 0x40);
  assert.is(h3ReservedCode(2), 0x5f);
  assert.ok(isH3Reserved(0x21) && isH3Reserved(0x40) && isH3Reserved(0x5f));
  assert.not.ok(isH3Reserved(0x00) || isH3Reserved(0x22) || isH3Reserved(0x20) || isH3Reserved(0x0d));
  assert.throws(() => h3ReservedCode(-1), RangeError);
  assert.is(h3FrameTypeName(0x04), 'SETTINGS');
  assert.is(h3FrameTypeName(0x21), 'RESERVED(0x21)');
  assert.is(h3FrameTypeName(0x0c), 'UNKNOWN(0xc)');
});

const arbVarint = fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const arbFrame: fc.Arbitrary<H3Frame> = fc.oneof(
  fc.uint8Array({ maxLength: 100 }).map((data) => ({ kind: 'data' as const, data })),
  fc.uint8Array({ maxLength: 100 }).map((fieldSection) => ({ kind: 'headers' as const, fieldSection })),
  arbVarint.map((pushId) => ({ kind: 'cancel-push' as const, pushId })),
  fc.uniqueArray(fc.record({ id: arbVarint.filter((id) => id < 2 || id > 5), value: arbVarint }), { selector: (e) => e.id, maxLength: 8 })
    .map((entries) => ({ kind: 'settings' as const, entries })),
  fc.tuple(arbVarint, fc.uint8Array({ maxLength: 50 })).map(([pushId, fieldSection]) => ({ kind: 'push-promise' as const, pushId, fieldSection })),
  arbVarint.map((id) => ({ kind: 'goaway' as const, id })),
  arbVarint.map((pushId) => ({ kind: 'max-push-id' as const, pushId })),
  fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.uint8Array({ maxLength: 20 })).map(([n, payload]) => ({ kind: 'unknown' as const, type: h3ReservedCode(n), payload })),
);

test('encode/decode round trip (fast-check)', () => {
  fc.assert(fc.property(arbFrame, (frame) => {
    const bytes = encodeH3Frame(frame);
    const d = decodeH3Frame(bytes);
    return d !== null && d.size === bytes.length && JSON.stringify(norm(d.frame)) === JSON.stringify(norm(frame));
  }));
});

test('random bytes only ever throw H3Error (fuzz)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
    try {
      decodeH3Frame(bytes);
    } catch (e) {
      return e instanceof H3Error;
    }
    return true;
  }), { numRuns: 2000 });
});

test.run();
