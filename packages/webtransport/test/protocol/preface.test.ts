import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { checkSessionId, decodeWtPreface, encodeWtPreface, WtProtocolError } from '@quicts/webtransport';

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

test('hand-derived prefaces: 0x41 and 0x54 are two-byte varints', () => {
  assert.is(hex(encodeWtPreface('bidi', 0)), '404100');
  assert.is(hex(encodeWtPreface('uni', 4)), '405404');
  assert.is(hex(encodeWtPreface('bidi', 400)), '40414190');
  assert.throws(() => encodeWtPreface('uni', 1), RangeError);
  assert.throws(() => encodeWtPreface('uni', 2), RangeError);
});

test('round trip and every truncation (fast-check)', () => {
  fc.assert(fc.property(fc.constantFrom('bidi' as const, 'uni' as const), fc.integer({ min: 0, max: 2 ** 50 }), (dir, q) => {
    const bytes = encodeWtPreface(dir, q * 4);
    assert.equal(decodeWtPreface(bytes), { direction: dir, sessionId: q * 4, length: bytes.length });
    for (let n = 0; n < bytes.length; n++) assert.is(decodeWtPreface(bytes.subarray(0, n)), null);
  }));
  assert.equal(decodeWtPreface(Uint8Array.of(0x01, 0x00)), { direction: undefined, sessionId: -1, length: 1 });
});

test('session IDs that are not client-initiated bidirectional streams are H3_ID_ERROR', () => {
  for (const id of [1, 2, 3, 5, -4]) {
    assert.throws(() => checkSessionId(id), (e: unknown) => e instanceof WtProtocolError && e.code === 0x108 && e.scope === 'connection');
  }
  checkSessionId(0);
  checkSessionId(2 ** 50);
});

test.run();
