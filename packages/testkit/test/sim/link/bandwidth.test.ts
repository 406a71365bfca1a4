import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bandwidth, delay } from '@quicts/testkit';
import { pingThrough } from '../toys.ts';

test('1 MB at 1 Mbit/s takes 8 s of simulated time and almost no real time', () => {
  const started = performance.now();
  const { b, pair } = pingThrough([bandwidth(1_000_000), delay(10)], { count: 1000, size: 1000 });
  assert.is(b.arrivals.length, 1000);
  // Each 1000-byte datagram takes 8 ms to serialize; the last leaves at 8000 ms, arrives at 8010.
  assert.is(b.arrivals[0]!.time, 18);
  assert.ok(Math.abs(b.arrivals[999]!.time - 8010) < 1e-6, `${b.arrivals[999]!.time}`);
  assert.is(pair.stats('a').bytesDelivered, 1_000_000);
  assert.ok(performance.now() - started < 2000);
});

test('a full queue drops the tail', () => {
  // 100 datagrams of 1000 bytes at once into a 10 000-byte queue: ten fit, the rest are dropped.
  const { b, pair } = pingThrough([bandwidth({ bitsPerSecond: 1_000_000, queueBytes: 10_000 })], { count: 100, size: 1000 });
  assert.equal(b.seqs, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.is(pair.stats('a').droppedBy.queue, 90);
  const byPackets = pingThrough([bandwidth({ bitsPerSecond: 1_000_000, queuePackets: 3 })], { count: 10, size: 1000 });
  assert.equal(byPackets.b.seqs, [0, 1, 2]);
});

test('the queue drains over time: a paced sender at the link rate loses nothing', () => {
  // 1000 bytes every 8 ms is exactly 1 Mbit/s; a two-datagram queue is enough.
  const { b, pair } = pingThrough([bandwidth({ bitsPerSecond: 1_000_000, queuePackets: 2 })], { count: 500, size: 1000, interval: 8 });
  assert.is(b.arrivals.length, 500);
  assert.is(pair.stats('a').dropped, 0);
  assert.throws(() => bandwidth(0), RangeError);
});

test.run();
