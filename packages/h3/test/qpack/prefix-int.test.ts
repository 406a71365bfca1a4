import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  type QpackCursor, encodePrefixInt, QPACK_NEED_MORE, prefixIntLength, QpackError, QpackErrorCode, readPrefixInt,
} from '@quicts/h3';
import { hex, unhex } from './helpers.ts';

const E = QpackErrorCode.QPACK_DECOMPRESSION_FAILED;

function read(bytes: Uint8Array, prefix: number): { value: number; pos: number } {
  const c: QpackCursor = { buf: bytes, pos: 0, end: bytes.length };
  const value = readPrefixInt(c, prefix, E);
  return { value, pos: c.pos };
}

test('RFC 7541 C.1.1: 10 with a 5-bit prefix is one byte', () => {
  assert.is(hex(encodePrefixInt(10, 5)), '0a');
  assert.equal(read(unhex('0a'), 5), { value: 10, pos: 1 });
});

test('RFC 7541 C.1.2: 1337 with a 5-bit prefix is 1f 9a 0a', () => {
  assert.is(hex(encodePrefixInt(1337, 5)), '1f9a0a');
  assert.equal(read(unhex('1f9a0a'), 5), { value: 1337, pos: 3 });
});

test('RFC 7541 C.1.3: 42 at an octet boundary (8-bit prefix)', () => {
  assert.is(hex(encodePrefixInt(42, 8)), '2a');
  assert.equal(read(unhex('2a'), 8), { value: 42, pos: 1 });
});

test('flags above the prefix are kept on write and ignored on read', () => {
  assert.is(hex(encodePrefixInt(3, 6, 0xc0)), 'c3');
  assert.equal(read(unhex('c3'), 6), { value: 3, pos: 1 });
  assert.is(hex(encodePrefixInt(63, 6, 0x80)), 'bf00');
  assert.equal(read(unhex('bf00'), 6), { value: 63, pos: 2 });
});

test('RFC 9204 §4.1.1: values up to 62 bits that fit a safe integer decode exactly', () => {
  const v = 2 ** 53 - 1;
  const enc = encodePrefixInt(v, 7);
  assert.equal(read(enc, 7), { value: v, pos: enc.length });
  assert.is(enc.length, prefixIntLength(v, 7));
});

test('overflow: above 2^53-1 and over-long encodings throw a typed error', () => {
  // 2^53 with an 8-bit prefix: 255 + continuation
  const big = unhex('ff818080808080808010');
  assert.throws(() => read(big, 8), (e: unknown) => e instanceof QpackError && e.code === E);
  assert.throws(() => read(unhex('ff' + '80'.repeat(12) + '00'), 8), (e: unknown) => e instanceof QpackError);
  const c: QpackCursor = { buf: unhex('1f0a'), pos: 0, end: 2 };
  assert.throws(() => readPrefixInt(c, 5, E, 40), (e: unknown) => e instanceof QpackError);
});

test('truncated integers return QPACK_NEED_MORE and leave the position alone', () => {
  for (const h of ['', '1f', '1f9a', 'ff8080']) {
    const b = unhex(h);
    const c: QpackCursor = { buf: b, pos: 0, end: b.length };
    assert.is(readPrefixInt(c, 5, E), QPACK_NEED_MORE, h);
    assert.is(c.pos, 0);
  }
});

test('fast-check: write then read round-trips for every prefix size', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.maxSafeNat(), fc.integer({ min: 0, max: 255 }), (prefix, value, flagBits) => {
      const flags = flagBits & ~((1 << prefix) - 1) & 0xff;
      const enc = encodePrefixInt(value, prefix, flags);
      assert.is(enc.length, prefixIntLength(value, prefix));
      assert.is(enc[0]! & ~((1 << prefix) - 1) & 0xff, flags);
      assert.equal(read(enc, prefix), { value, pos: enc.length });
      // every truncation needs more bytes
      for (let i = 0; i < enc.length; i++) {
        const c: QpackCursor = { buf: enc, pos: 0, end: i };
        assert.is(readPrefixInt(c, prefix, E), QPACK_NEED_MORE);
      }
    }),
    { numRuns: 500 },
  );
});

test('fuzz: random bytes either decode, need more, or throw QpackError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 16 }), fc.integer({ min: 1, max: 8 }), (bytes, prefix) => {
      try {
        read(bytes, prefix);
      } catch (e) {
        assert.instance(e, QpackError);
      }
    }),
    { numRuns: 500 },
  );
});

test.run();
