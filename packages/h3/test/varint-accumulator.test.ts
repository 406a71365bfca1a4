import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Writer } from '@quicts/quic-core';
import { chunksOf } from '@quicts/testkit';
import { VarintAccumulator } from '../src/varint-accumulator.ts';

function readAll(bytes: Uint8Array, size: number): number[] {
  const acc = new VarintAccumulator();
  const out: number[] = [];
  for (const piece of chunksOf(bytes, size)) {
    let pos = 0;
    while (pos < piece.length) {
      const r = acc.feed(piece, pos);
      pos = r.pos;
      if (r.value >= 0) out.push(r.value);
    }
  }
  assert.not.ok(acc.partial);
  return out;
}

test('RFC 9000 A.1 examples, one byte at a time', () => {
  const bytes = Uint8Array.of(0x25, 0x7b, 0xbd, 0x9d, 0x7f, 0x3e, 0x7d, 0x40, 0x25);
  assert.equal(readAll(bytes, 1), [37, 15293, 494878333, 37]);
});

test('values in any pieces read back (fast-check)', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 9 }), (values, size) => {
    const w = new Writer();
    for (const v of values) w.varint(v);
    return JSON.stringify(readAll(w.finish(), size)) === JSON.stringify(values);
  }));
});

test('a partial varint is kept across pieces', () => {
  const acc = new VarintAccumulator();
  assert.is(acc.feed(Uint8Array.of(0x80, 0x00), 0).value, -1);
  assert.ok(acc.partial);
  const r = acc.feed(Uint8Array.of(0x01, 0x00, 0x99), 0);
  assert.equal(r, { pos: 2, value: 256 });
});

test.run();
