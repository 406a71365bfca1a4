import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { CapsuleParser } from '@quicts/h3';
import {
  decodeWtCapsule, encodeWtCapsule, truncateCloseReason, WT_CAPSULE_TYPES, WtCapsuleType, type WtCapsule, WtProtocolError,
} from '@quicts/webtransport';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Splits a full capsule into type and value through the HTTP/3 capsule parser, one byte at a time. */
function parseAll(bytes: Uint8Array): WtCapsule[] {
  const parser = new CapsuleParser({ knownTypes: WT_CAPSULE_TYPES, maxCapsuleSize: 4096 });
  const out: WtCapsule[] = [];
  for (let i = 0; i < bytes.length; i++) {
    for (const c of parser.push(bytes.slice(i, i + 1))) out.push(decodeWtCapsule(c.type, c.value));
  }
  parser.finish();
  return out;
}

test('hand-derived bytes: CLOSE (code 7, "bye"), DRAIN, flow-control capsules', () => {
  // 0x2843 is a two-byte varint (0x68 0x43); 0x78ae and 0x190b4d3d need four bytes.
  assert.is(hex(encodeWtCapsule({ kind: 'close', code: 7, reason: 'bye' })), '6843' + '07' + '00000007' + '627965');
  assert.is(hex(encodeWtCapsule({ kind: 'close', code: 0xffffffff, reason: '' })), '684304ffffffff');
  assert.is(hex(encodeWtCapsule({ kind: 'drain' })), '800078ae00');
  assert.is(hex(encodeWtCapsule({ kind: 'max-data', max: 1000 })), '990b4d3d0243e8');
  assert.is(hex(encodeWtCapsule({ kind: 'max-streams', bidi: true, max: 5 })), '990b4d3f0105');
  assert.is(hex(encodeWtCapsule({ kind: 'max-streams', bidi: false, max: 5 })), '990b4d400105');
  assert.is(hex(encodeWtCapsule({ kind: 'data-blocked', max: 0 })), '990b4d410100');
  assert.is(hex(encodeWtCapsule({ kind: 'streams-blocked', bidi: true, max: 1 })), '990b4d430101');
  assert.is(hex(encodeWtCapsule({ kind: 'streams-blocked', bidi: false, max: 1 })), '990b4d440101');
  assert.is(hex(encodeWtCapsule({ kind: 'datagram', payload: Uint8Array.of(1, 2) })), '00020102');
});

const capsuleArb: fc.Arbitrary<WtCapsule> = fc.oneof(
  fc.record({ kind: fc.constant('close' as const), code: fc.integer({ min: 0, max: 0xffffffff }), reason: fc.string({ maxLength: 300 }) }),
  fc.constant({ kind: 'drain' as const }),
  fc.record({ kind: fc.constant('max-data' as const), max: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
  fc.record({ kind: fc.constant('max-streams' as const), bidi: fc.boolean(), max: fc.integer({ min: 0, max: 2 ** 50 }) }),
  fc.record({ kind: fc.constant('data-blocked' as const), max: fc.integer({ min: 0, max: 2 ** 40 }) }),
  fc.record({ kind: fc.constant('streams-blocked' as const), bidi: fc.boolean(), max: fc.integer({ min: 0, max: 2 ** 40 }) }),
  fc.record({ kind: fc.constant('datagram' as const), payload: fc.uint8Array({ maxLength: 50 }) }),
);

test('round trip of every capsule, parsed one byte at a time (fast-check)', () => {
  fc.assert(fc.property(fc.array(capsuleArb, { maxLength: 5 }), (list) => {
    const parts = list.map(encodeWtCapsule);
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const back = parseAll(bytes);
    assert.is(back.length, list.length);
    back.forEach((c, i) => {
      const want = list[i]!;
      if (want.kind === 'datagram' && c.kind === 'datagram') assert.is(hex(c.payload), hex(want.payload));
      else assert.equal(c, { ...want });
    });
  }), { numRuns: 300 });
});

test('close messages: cut at a UTF-8 boundary to 1024 bytes; longer or invalid ones are H3_MESSAGE_ERROR', () => {
  const long = 'é'.repeat(600); // 1200 bytes
  const cut = truncateCloseReason(long);
  assert.is(cut.length, 1024);
  assert.is(new TextDecoder().decode(cut), 'é'.repeat(512));
  const odd = 'a' + '€'.repeat(400); // 1 + 1200 bytes: the cut must back off inside a 3-byte character
  assert.is(truncateCloseReason(odd).length, 1 + 3 * 341);
  const tooLong = new Uint8Array(4 + 1025).fill(0x61);
  const messageError = (e: unknown): boolean => e instanceof WtProtocolError && e.code === 0x010e && e.scope === 'session';
  assert.throws(() => decodeWtCapsule(WtCapsuleType.CLOSE_SESSION, tooLong), messageError);
  assert.throws(() => decodeWtCapsule(WtCapsuleType.CLOSE_SESSION, Uint8Array.of(0, 0, 0, 1, 0xff)), messageError);
  assert.throws(() => decodeWtCapsule(WtCapsuleType.CLOSE_SESSION, Uint8Array.of(0, 0, 1)), messageError);
  assert.equal(decodeWtCapsule(WtCapsuleType.CLOSE_SESSION, Uint8Array.of(0, 0, 0, 9, ...utf8('ok'))), { kind: 'close', code: 9, reason: 'ok' });
  assert.throws(() => encodeWtCapsule({ kind: 'close', code: 2 ** 32, reason: '' }), RangeError);
});

test('flow-control values: exactly one varint; stream counts above 2^60 and HTTP/2-only capsules are WT_FLOW_CONTROL_ERROR', () => {
  const flow = (e: unknown): boolean => e instanceof WtProtocolError && e.code === 0x045d4487;
  assert.throws(() => decodeWtCapsule(WtCapsuleType.MAX_DATA, Uint8Array.of(1, 2)), (e: unknown) => e instanceof WtProtocolError && e.code === 0x010e);
  assert.throws(() => decodeWtCapsule(WtCapsuleType.MAX_DATA, new Uint8Array(0)), (e: unknown) => e instanceof WtProtocolError);
  assert.throws(() => decodeWtCapsule(WtCapsuleType.DRAIN_SESSION, Uint8Array.of(0)), (e: unknown) => e instanceof WtProtocolError);
  const above = Uint8Array.of(0xd0, 0, 0, 0, 0, 0, 0, 1); // 2^60 + 1
  assert.throws(() => decodeWtCapsule(WtCapsuleType.MAX_STREAMS_BIDI, above), flow);
  assert.throws(() => decodeWtCapsule(WtCapsuleType.STREAMS_BLOCKED_UNI, above), flow);
  assert.equal(decodeWtCapsule(WtCapsuleType.MAX_STREAMS_UNI, Uint8Array.of(0xd0, 0, 0, 0, 0, 0, 0, 0)).kind, 'max-streams', '2^60 itself is allowed');
  assert.throws(() => decodeWtCapsule(WtCapsuleType.MAX_STREAM_DATA, Uint8Array.of(1)), flow);
  assert.throws(() => decodeWtCapsule(WtCapsuleType.STREAM_DATA_BLOCKED, Uint8Array.of(1)), flow);
  assert.throws(() => decodeWtCapsule(0x1234, new Uint8Array(0)), RangeError);
});

test('random values and every truncation give only typed errors', () => {
  fc.assert(fc.property(fc.constantFrom(...WT_CAPSULE_TYPES), fc.uint8Array({ maxLength: 40 }), (type, value) => {
    try {
      decodeWtCapsule(type, value);
    } catch (e) {
      assert.ok(e instanceof WtProtocolError, String(e));
    }
  }), { numRuns: 2000 });
  const full = encodeWtCapsule({ kind: 'max-data', max: 123456789 });
  for (let n = 1; n < full.length; n++) {
    const parser = new CapsuleParser({ knownTypes: WT_CAPSULE_TYPES });
    parser.push(full.subarray(0, n));
    assert.throws(() => parser.finish(), (e: unknown) => e instanceof Error && e.name === 'H3Error');
  }
});

test('unknown and GREASE capsule types are skipped around WebTransport ones', () => {
  const grease = Uint8Array.of(0x29, 3, 1, 2, 3); // an unknown type
  const bytes = new Uint8Array([...grease, ...encodeWtCapsule({ kind: 'drain' }), 0x21, 0]); // and the reserved type 0x21, empty
  assert.equal(parseAll(bytes), [{ kind: 'drain' }]);
});

test.run();
