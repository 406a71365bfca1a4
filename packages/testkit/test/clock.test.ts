import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '@quicts/testkit';

test('starts where told and advances by exact amounts', () => {
  const c = new FakeClock(100);
  assert.is(c.now, 100);
  assert.is(c.advance(0.5), 100.5);
  assert.is(c.advance(30_000), 30_100.5);
  assert.is(new FakeClock().now, 0);
});

test('jumpTo moves forward and never back', () => {
  const c = new FakeClock();
  assert.is(c.jumpTo(25), 25);
  assert.is(c.jumpTo(25), 25);
  assert.throws(() => c.jumpTo(24), RangeError);
  assert.throws(() => c.advance(-1), RangeError);
  assert.throws(() => c.advance(NaN), RangeError);
  assert.throws(() => c.jumpTo(Infinity), RangeError);
  assert.is(c.now, 25);
});

test.run();
