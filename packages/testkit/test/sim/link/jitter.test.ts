import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { delay, jitter } from '@quicts/testkit';
import { pingThrough } from '../toys.ts';

test('jitter stays within [delay, delay + max] and keeps order by default', () => {
  const { a, b, pair } = pingThrough([delay(10), jitter(8)], { count: 2000, interval: 1 });
  assert.is(b.arrivals.length, 2000);
  const extra = b.arrivals.map((arr) => arr.time - a.sendTimes[arr.seq]! - 10);
  for (const e of extra) assert.ok(e >= 0 && e <= 8, `extra delay ${e}`);
  assert.ok(Math.max(...extra) > 6 && Math.min(...extra) < 2, 'the whole range is used');
  assert.equal(b.seqs, [...b.seqs].sort((x, y) => x - y), 'FIFO');
  assert.is(pair.stats('a').reordered, 0);
});

test('jitter with reordering lets datagrams overtake, still within bounds', () => {
  const { a, b, pair } = pingThrough([delay(10), jitter({ max: 8, reorder: true })], { count: 2000, interval: 1 });
  assert.is(b.arrivals.length, 2000);
  for (const arr of b.arrivals) {
    const extra = arr.time - a.sendTimes[arr.seq]! - 10;
    assert.ok(extra >= 0 && extra <= 8);
  }
  assert.ok(pair.stats('a').reordered > 100, `reordered ${pair.stats('a').reordered}`);
  assert.not.equal(b.seqs, [...b.seqs].sort((x, y) => x - y));
});

test.run();
