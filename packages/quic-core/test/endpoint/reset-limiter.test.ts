import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StatelessResetLimiter } from '../../src/endpoint/index.ts';

test('per-address burst, then the refill rate (RFC 9000 §10.3.3)', () => {
  const l = new StatelessResetLimiter({ perAddressRate: 2, perAddressBurst: 3 });
  assert.equal([1, 2, 3, 4].map(() => l.allow('a', 0)), [true, true, true, false]);
  assert.ok(l.allow('b', 0), 'other addresses keep their own budget');
  assert.not.ok(l.allow('a', 400));
  assert.ok(l.allow('a', 500), 'one token after half a second at 2/s');
  assert.not.ok(l.allow('a', 500));
  assert.equal([1, 2, 3, 4].map(() => l.allow('a', 100_000)), [true, true, true, false], 'refill caps at the burst');
});

test('a global budget caps all addresses together', () => {
  const l = new StatelessResetLimiter({ globalRate: 1, globalBurst: 5, perAddressBurst: 100 });
  let allowed = 0;
  for (let i = 0; i < 50; i++) if (l.allow(`addr${i}`, 0)) allowed++;
  assert.is(allowed, 5);
  assert.ok(l.allow('x', 1000));
});

test('tracked addresses are bounded; a forgotten address starts with a full burst', () => {
  const l = new StatelessResetLimiter({ perAddressBurst: 1, perAddressRate: 0.001, maxAddresses: 2 });
  assert.ok(l.allow('a', 0));
  assert.not.ok(l.allow('a', 0));
  l.allow('b', 0);
  l.allow('c', 0);
  assert.ok(l.allow('a', 0), 'a was forgotten');
});

test.run();
