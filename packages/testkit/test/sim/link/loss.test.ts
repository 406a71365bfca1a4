import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { burstLoss, burstLossRate, loss } from '@quicts/testkit';
import { pingThrough } from '../toys.ts';

const N = 10_000;

test('loss rate over 10 000 datagrams is within tolerance of the configured rate', () => {
  for (const rate of [0.01, 0.1, 0.3]) {
    const { b, pair } = pingThrough([loss(rate)], { count: N, interval: 1 }, 2024);
    const s = pair.stats('a');
    const observed = s.dropped / N;
    assert.ok(Math.abs(observed - rate) < 0.015, `rate ${rate}: observed ${observed}`);
    assert.is(s.sent, N);
    assert.is(s.delivered + s.dropped, N);
    assert.is(s.droppedBy.loss, s.dropped);
    assert.is(b.arrivals.length, s.delivered);
  }
});

test('the same seed loses the same datagrams; another seed loses others', () => {
  const lost = (seed: number): number[] => {
    const { b } = pingThrough([loss(0.1)], { count: N, interval: 1 }, seed);
    const got = new Set(b.seqs);
    return Array.from({ length: N }, (_, i) => i).filter((i) => !got.has(i));
  };
  const first = lost(99);
  assert.equal(lost(99), first);
  assert.not.equal(lost(100), first);
});

test('loss 0 and 1 are exact', () => {
  assert.is(pingThrough([loss(0)], { count: 500 }).b.arrivals.length, 500);
  assert.is(pingThrough([loss(1)], { count: 500 }).b.arrivals.length, 0);
  assert.throws(() => loss(1.5), RangeError);
  assert.throws(() => loss(-0.1), RangeError);
});

test('Gilbert-Elliott loss: long-run rate matches the model and losses come in bursts', () => {
  const model = { goodToBad: 0.02, badToGood: 0.25 };
  const expected = burstLossRate(model); // 0.02 / 0.27 ~ 0.074
  const { b, pair } = pingThrough([burstLoss(model)], { count: N, interval: 1 }, 7);
  const s = pair.stats('a');
  assert.ok(Math.abs(s.dropped / N - expected) < 0.025, `observed ${s.dropped / N}, expected ${expected}`);
  assert.is(s.droppedBy['burst-loss'], s.dropped);
  // Mean length of runs of consecutive losses: ~1 / badToGood = 4 (independent loss would give ~1.08).
  const got = new Set(b.seqs);
  const runs: number[] = [];
  let run = 0;
  for (let i = 0; i < N; i++) {
    if (!got.has(i)) run++;
    else if (run > 0) { runs.push(run); run = 0; }
  }
  const mean = runs.reduce((x, y) => x + y, 0) / runs.length;
  assert.ok(mean > 2.5, `mean burst ${mean}`);
});

test.run();
