import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { delay, reorder } from '@quicts/testkit';
import { pingThrough } from '../toys.ts';

const sorted = (xs: number[]): number[] => [...xs].sort((x, y) => x - y);

test('reordering holds some datagrams back so later ones overtake them', () => {
  const { a, b, pair } = pingThrough([delay(5), reorder({ rate: 0.1, delay: 10 })], { count: 1000, interval: 1 }, 11);
  assert.is(b.arrivals.length, 1000);
  assert.not.equal(b.seqs, sorted(b.seqs));
  const held = b.arrivals.filter((arr) => arr.time - a.sendTimes[arr.seq]! === 15).length;
  assert.ok(held > 70 && held < 130, `held back ${held}`);
  assert.ok(pair.stats('a').reordered >= held * 0.9);
  for (const arr of b.arrivals) assert.ok([5, 15].includes(arr.time - a.sendTimes[arr.seq]!));
});

test('without reordering (or at rate 0) order is preserved', () => {
  for (const link of [[delay(5)], [delay(5), reorder(0)]]) {
    const { b, pair } = pingThrough(link, { count: 1000, interval: 1 }, 11);
    assert.equal(b.seqs, sorted(b.seqs));
    assert.is(pair.stats('a').reordered, 0);
  }
});

test.run();
