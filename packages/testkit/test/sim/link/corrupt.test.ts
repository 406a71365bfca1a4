import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { corrupt } from '@quicts/testkit';
import { numbered, pingThrough } from '../toys.ts';

function bitsDiffer(x: Uint8Array, y: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) for (let v = x[i]! ^ y[i]!; v !== 0; v &= v - 1) n++;
  return n;
}

test('corruption flips exactly the configured number of bits and never touches the sender', () => {
  for (const bits of [1, 3, 16]) {
    const { a, b, pair } = pingThrough([corrupt({ rate: 0.5, bits })], { count: 2000, size: 64 }, 3);
    let corrupted = 0;
    b.arrivals.forEach((arr, i) => {
      // The sender's buffers still hold what was sent.
      assert.equal(a.sentBuffers[i], numbered(i, 64));
      assert.is.not(arr.data, a.sentBuffers[i]);
      const original = numbered(i, 64);
      const d = bitsDiffer(arr.data, original);
      assert.ok(d === 0 || d === bits, `datagram ${i}: ${d} bits differ`);
      if (d > 0) corrupted++;
    });
    assert.is(corrupted, pair.stats('a').corrupted);
    assert.ok(Math.abs(corrupted / 2000 - 0.5) < 0.05, `corrupted ${corrupted}`);
  }
});

test('more bits than the datagram has flips every bit', () => {
  const { b } = pingThrough([corrupt({ rate: 1, bits: 1000 })], { count: 1, size: 4 });
  assert.equal([...b.arrivals[0]!.data], [...numbered(0, 4)].map((x) => x ^ 0xff));
  assert.throws(() => corrupt({ rate: 1, bits: 0 }), RangeError);
});

test.run();
