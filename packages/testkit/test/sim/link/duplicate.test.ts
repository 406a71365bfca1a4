import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { delay, duplicate } from '@quicts/testkit';
import { pingThrough } from '../toys.ts';

test('duplication sends a second, separate copy with the same contents', () => {
  const { a, b, pair } = pingThrough([delay(3), duplicate({ rate: 0.2, delay: 1 })], { count: 5000, interval: 1 }, 5);
  const s = pair.stats('a');
  assert.ok(Math.abs(s.duplicated / 5000 - 0.2) < 0.02, `duplicated ${s.duplicated}`);
  assert.is(s.delivered, 5000 + s.duplicated);
  assert.is(b.arrivals.length, s.delivered);
  const bySeq = new Map<number, typeof b.arrivals>();
  for (const arr of b.arrivals) bySeq.set(arr.seq, [...(bySeq.get(arr.seq) ?? []), arr]);
  let pairs = 0;
  for (const [seq, copies] of bySeq) {
    assert.ok(copies.length === 1 || copies.length === 2);
    for (const c of copies) assert.equal(c.data, a.sentBuffers[seq]);
    if (copies.length === 2) {
      pairs++;
      assert.is(copies[1]!.time - copies[0]!.time, 1);
      assert.is.not(copies[0]!.data, copies[1]!.data);
      assert.is.not(copies[0]!.data.buffer, copies[1]!.data.buffer);
    }
  }
  assert.is(pairs, s.duplicated);
});

test('rate 0 never duplicates', () => {
  const { pair } = pingThrough([duplicate(0)], { count: 1000 });
  assert.is(pair.stats('a').duplicated, 0);
  assert.is(pair.stats('a').delivered, 1000);
});

test.run();
