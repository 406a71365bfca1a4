import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pair, mtu } from '@quicts/testkit';
import { Recorder } from '../toys.ts';

test('MTU drops only datagrams larger than it', () => {
  const a = new Recorder();
  const b = new Recorder();
  const pair = new Pair<Recorder>({ a, b, link: [mtu(1200)] });
  for (const size of [1199, 1200, 1201, 1500, 20]) {
    const d = new Uint8Array(size);
    d[3] = size & 0xff; // seq byte used by the recorder
    pair.inject('a', d);
  }
  pair.drive();
  assert.equal(b.arrivals.map((x) => x.data.length), [1199, 1200, 20]);
  assert.equal(pair.stats('a').droppedBy, { mtu: 2 });
  assert.is(pair.stats('a').dropped, 2);
  assert.throws(() => mtu(-1), RangeError);
});

test.run();
