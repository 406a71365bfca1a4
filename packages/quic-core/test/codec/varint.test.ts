import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadVectors } from '@quicts/testkit';
import {
  Reader, Writer, fromHex, toHex, decodeVarintAt, decodeVarintBigAt, encodeVarintAt, encodeVarintBigAt,
  varintLength, DecodeError,
} from '@quicts/quic-core';

const v = loadVectors('rfc/rfc9000.json');

test('RFC 9000 A.1 decoding examples (exact, bigint)', () => {
  for (const c of v.varint_decoding_examples.cases) {
    const bytes = fromHex(c.encoded);
    assert.is(decodeVarintBigAt(bytes, 0), BigInt(c.value_str), c.encoded);
    const r = new Reader(bytes);
    r.varintBig();
    assert.is(r.pos, c.length_bytes);
  }
});

test('RFC 9000 A.1 decoding examples (number; values above 2^53-1 clamp)', () => {
  for (const c of v.varint_decoding_examples.cases) {
    const expected = BigInt(c.value_str) > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(c.value_str);
    assert.is(decodeVarintAt(fromHex(c.encoded), 0), expected, c.encoded);
  }
});

test('RFC 9000 §16 length table: boundaries encode at the stated length', () => {
  for (const row of v.varint_length_table.rows) {
    const max = BigInt(row.max_value);
    const buf = new Uint8Array(8);
    const end = encodeVarintBigAt(buf, 0, max);
    assert.is(end, row.length);
    assert.is(decodeVarintBigAt(buf, 0), max);
    assert.is(buf[0]! >> 6, parseInt(row.prefix_bits, 2));
  }
});

test('minimal encoding of 37 is 0x25, and 0x4025 also decodes to 37', () => {
  assert.is(toHex(new Writer().varint(37).finish()), '25');
  assert.is(new Reader(fromHex('4025')).varint(), 37);
});

test('non-minimal lengths are written when asked', () => {
  assert.is(toHex(new Writer().varint(37, 2).finish()), '4025');
  assert.is(toHex(new Writer().varint(37, 8).finish()), 'c000000000000025');
  assert.throws(() => new Writer().varint(64, 1), RangeError);
});

test('truncated varints throw DecodeError', () => {
  for (const hex of ['', '40', '80ffff', 'c0000000000000']) {
    assert.throws(() => new Reader(fromHex(hex)).varint(), (e: unknown) => e instanceof DecodeError);
  }
});

test('encoder rejects negatives, fractions and unsafe integers', () => {
  for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN]) {
    assert.throws(() => new Writer().varint(bad), RangeError);
  }
});

test('property: number round trip at minimal and any sufficient length', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(1, 2, 4, 8), (n, len) => {
      const buf = new Uint8Array(8);
      const minimal = varintLength(n);
      const use = (len < minimal ? minimal : len) as 1 | 2 | 4 | 8;
      const end = encodeVarintAt(buf, 0, n, use);
      assert.is(end, use);
      assert.is(decodeVarintAt(buf, 0), n);
      assert.is(decodeVarintBigAt(buf, 0), BigInt(n));
    }),
    { numRuns: 2000 },
  );
});

test('property: bigint round trip over the full 62-bit range', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }), (n) => {
      const buf = new Uint8Array(8);
      const end = encodeVarintBigAt(buf, 0, n);
      assert.is(decodeVarintBigAt(buf, 0, end), n);
    }),
    { numRuns: 2000 },
  );
});

test('reader and writer fixed-width integers round trip', () => {
  const w = new Writer(1);
  w.u8(0xab).u16(0xbeef).u24(0x123456).u32(0xdeadbeef).uint(0x0102030405, 5).vec8(fromHex('aabb')).vec16(fromHex('cc'));
  const r = new Reader(w.finish());
  assert.is(r.u8(), 0xab);
  assert.is(r.u16(), 0xbeef);
  assert.is(r.u24(), 0x123456);
  assert.is(r.u32(), 0xdeadbeef);
  assert.is(r.uint(5), 0x0102030405);
  assert.is(toHex(r.vec8()), 'aabb');
  assert.is(toHex(r.vec16()), 'cc');
  assert.ok(r.done);
});

test('fixed writer refuses to overflow its buffer', () => {
  const w = Writer.into(new Uint8Array(3));
  w.u16(1);
  assert.throws(() => w.u16(2), RangeError);
});

test.run();
