import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RttEstimator } from '../../src/recovery/index.ts';

test('initial state uses kInitialRtt = 333 ms (RFC 9002 §6.2.2)', () => {
  const r = new RttEstimator();
  assert.is(r.smoothed, 333);
  assert.is(r.rttvar, 166.5);
  assert.not.ok(r.hasSample);
  // PTO = 333 + 4 * 166.5 = 999 ms before any sample (about 1 s, §6.2.2).
  assert.is(r.pto(0), 999);
});

test('the first sample resets the estimator and ignores ack delay', () => {
  const r = new RttEstimator();
  r.update(100, 30, 500);
  assert.is(r.latest, 100);
  assert.is(r.min, 100);
  assert.is(r.smoothed, 100);
  assert.is(r.rttvar, 50);
  assert.is(r.firstSampleTime, 500);
});

test('later samples subtract the ack delay and follow the EWMA (RFC 9002 §5.3)', () => {
  const r = new RttEstimator();
  r.update(100, 0, 0);
  r.update(120, 10, 10); // adjusted 110
  assert.is(r.rttvar, 0.75 * 50 + 0.25 * 10);
  assert.is(r.smoothed, 0.875 * 100 + 0.125 * 110);
  assert.is(r.min, 100);
});

test('ack delay is not subtracted when the result would go below min_rtt', () => {
  const r = new RttEstimator();
  r.update(100, 0, 0);
  r.update(105, 10, 10); // 105 < 100 + 10: adjusted stays 105
  assert.is(r.smoothed, 0.875 * 100 + 0.125 * 105);
});

test('after handshake confirmation the ack delay is capped at max_ack_delay', () => {
  const capped = new RttEstimator();
  capped.update(100, 0, 0);
  capped.update(200, 80, 10, 25); // delay capped to 25: adjusted 175
  assert.is(capped.smoothed, 0.875 * 100 + 0.125 * 175);
  const uncapped = new RttEstimator();
  uncapped.update(100, 0, 0);
  uncapped.update(200, 80, 10); // before confirmation: adjusted 120
  assert.is(uncapped.smoothed, 0.875 * 100 + 0.125 * 120);
});

test('min_rtt tracks the smallest sample, without ack delay', () => {
  const r = new RttEstimator();
  r.update(100, 0, 0);
  r.update(80, 50, 1);
  assert.is(r.min, 80);
  r.update(150, 0, 2);
  assert.is(r.min, 80);
  r.resetMinToLatest();
  assert.is(r.min, 150);
});

test('PTO and persistent congestion duration', () => {
  const r = new RttEstimator();
  r.update(100, 0, 0); // srtt 100, rttvar 50
  assert.is(r.pto(25), 100 + 200 + 25);
  assert.is(r.persistentCongestionDuration(25, 3), 3 * 325);
  // kGranularity floor for 4*rttvar.
  const z = new RttEstimator();
  z.update(0.1, 0, 0);
  for (let i = 0; i < 50; i++) z.update(0.1, 0, i);
  assert.ok(z.pto(0) >= 1);
});

test('a sequence of samples with ack delays, step by step', () => {
  const r = new RttEstimator(100);
  let srtt = 0;
  let var_ = 0;
  let min = 0;
  const samples: [number, number][] = [[50, 5], [60, 10], [40, 2], [70, 30], [45, 0]];
  samples.forEach(([rtt, delay], i) => {
    r.update(rtt, delay, i * 10, 25);
    if (i === 0) {
      srtt = rtt; var_ = rtt / 2; min = rtt;
    } else {
      min = Math.min(min, rtt);
      const d = Math.min(delay, 25);
      const adj = rtt >= min + d ? rtt - d : rtt;
      var_ = 0.75 * var_ + 0.25 * Math.abs(srtt - adj);
      srtt = 0.875 * srtt + 0.125 * adj;
    }
    assert.is(r.smoothed, srtt);
    assert.is(r.rttvar, var_);
    assert.is(r.min, min);
  });
  r.reset();
  assert.is(r.smoothed, 100);
  assert.not.ok(r.hasSample);
});

test.run();
