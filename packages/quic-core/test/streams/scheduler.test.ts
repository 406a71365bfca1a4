import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RoundRobin } from '../../src/streams/index.ts';

test('round robin: rotate sends the served id to the back; add keeps a queued id in place', () => {
  const q = new RoundRobin();
  q.add(0);
  q.add(4);
  q.add(8);
  q.add(0);
  assert.equal(q.toArray(), [0, 4, 8]);
  assert.is(q.peek(), 0);
  q.rotate(0);
  assert.equal(q.toArray(), [4, 8, 0]);
  q.delete(8);
  q.rotate(99);
  assert.equal(q.toArray(), [4, 0]);
  assert.is(q.size, 2);
  q.delete(4);
  q.delete(0);
  assert.is(q.peek(), undefined);
});

test.run();
