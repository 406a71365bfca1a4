import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, delay } from '@quicts/testkit';
import { Echo, Pinger, pingThrough } from '../toys.ts';

test('every datagram arrives exactly `delay` ms after it was sent', () => {
  const { a, b } = pingThrough([delay(37.5)], { count: 50, interval: 3 });
  assert.is(b.arrivals.length, 50);
  b.arrivals.forEach((arr, i) => {
    assert.is(arr.seq, i);
    assert.is(arr.time, a.sendTimes[i]! + 37.5);
  });
});

test('directions are configured separately: echo round trip = delay there + delay back', () => {
  const a = new Pinger({ count: 3, interval: 100 });
  const b = new Echo();
  const pair = new Pair<Pinger | Echo>({ a, b, aToB: [delay(20)], bToA: [delay(5)] });
  pair.drive();
  assert.equal(b.arrivals.map((x) => x.time), [20, 120, 220]);
  assert.equal(a.arrivals.map((x) => x.time), [25, 125, 225]);
  assert.equal(a.seqs, [0, 1, 2]);
});

test('rejects negative or non-finite delays', () => {
  assert.throws(() => delay(-1), RangeError);
  assert.throws(() => delay(Infinity), RangeError);
});

test.run();
