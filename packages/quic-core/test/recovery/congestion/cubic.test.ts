import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Cubic, CubicWindow, CUBIC_BETA, CUBIC_C, RttEstimator, type CongestionPacket } from '../../../src/recovery/index.ts';

const MDS = 1200;
const SEG = MDS;
const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** RFC 9438 eq. 1 and 2 in segments and seconds. */
const wCubic = (t: number, k: number, wMax: number) => CUBIC_C * (t - k) ** 3 + wMax;
const kOf = (wMax: number, cwndEpoch: number) => Math.cbrt((wMax - cwndEpoch) / CUBIC_C);

test('multiplicative decrease by beta = 0.7 remembers W_max (RFC 9438 §4.6)', () => {
  const w = new CubicWindow();
  const ssthresh = w.onCongestionEvent(100 * SEG, 0, MDS);
  assert.is(ssthresh, 70 * SEG);
  assert.is(w.wMax, 100 * SEG);
  assert.is(w.cwndPrior, 100 * SEG);
  // ssthresh is at least two segments.
  assert.is(new CubicWindow().onCongestionEvent(2 * SEG, 0, MDS), 2 * SEG);
  assert.is(CUBIC_BETA, 0.7);
});

test('K and W_cubic(t) follow eq. 1 and 2 at chosen times', () => {
  const w = new CubicWindow({ fastConvergence: false });
  w.onCongestionEvent(100 * SEG, 0, MDS);
  const cwnd = 70 * SEG;
  w.increase(cwnd, SEG, 1000, 100, MDS); // the first ACK in congestion avoidance starts the epoch
  assert.is(w.epochStart, 1000);
  assert.is(w.cwndEpoch, cwnd);
  const k = kOf(100, 70);
  close(w.k, k);
  close(k, Math.cbrt(75));
  for (const t of [0, 1, 2.5, k, 6, 10]) close(w.wCubic(t, MDS), wCubic(t, k, 100) * SEG);
  close(w.wCubic(0, MDS), cwnd); // the curve starts at cwnd_epoch
  close(w.wCubic(k, MDS), 100 * SEG); // and reaches W_max at K
});

test('concave region: cwnd grows by (target - cwnd) / cwnd per acknowledged segment', () => {
  const w = new CubicWindow({ fastConvergence: false });
  w.onCongestionEvent(100 * SEG, 0, MDS);
  let cwnd = 70 * SEG;
  cwnd += w.increase(cwnd, SEG, 0, 100, MDS); // epoch at t = 0
  const k = kOf(100, 70);
  // One ACK at t = 2 s with RTT 100 ms: target = W_cubic(2.1).
  const before = cwnd;
  const inc = w.increase(cwnd, SEG, 2000, 100, MDS);
  const target = wCubic(2.1, k, 100) * SEG;
  assert.ok(target > before && target < 1.5 * before);
  close(inc, ((target - before) / before) * SEG);
});

test('the target is capped at 1.5 * cwnd and never below cwnd', () => {
  const w = new CubicWindow({ fastConvergence: false });
  w.onCongestionEvent(100 * SEG, 0, MDS);
  const cwnd = 70 * SEG;
  w.increase(cwnd, SEG, 0, 100, MDS);
  // Far in the convex region the cubic target exceeds 1.5 * cwnd.
  const inc = w.increase(cwnd, SEG, 60_000, 100, MDS);
  close(inc, ((1.5 * cwnd - cwnd) / cwnd) * SEG);
  // Just after the epoch starts W_cubic(t + RTT) is above cwnd_epoch, never below.
  assert.ok(w.increase(cwnd, SEG, 0, 0, MDS) >= 0);
});

test('Reno-friendly region: cwnd follows W_est when the cubic curve is below it (§4.3)', () => {
  const w = new CubicWindow({ fastConvergence: false });
  w.onCongestionEvent(10 * SEG, 0, MDS);
  let cwnd = 7 * SEG;
  const alpha = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);
  // Short RTT (10 ms): one window of ACKs per RTT for one second.
  let wEst = cwnd;
  let now = 0;
  let renoSteps = 0;
  for (let rtt = 0; rtt < 100; rtt++, now += 10) {
    const segs = Math.floor(cwnd / SEG);
    for (let s = 0; s < segs; s++) {
      const a = wEst >= 10 * SEG ? 1 : alpha;
      const next = wEst + (a * MDS * SEG) / cwnd;
      const inc = w.increase(cwnd, SEG, now, 10, MDS);
      wEst = next;
      close(w.wEst, wEst);
      if (w.wCubic((now - w.epochStart) / 1000, MDS) < wEst) {
        renoSteps++;
        close(cwnd + inc, Math.max(cwnd, wEst));
      }
      cwnd += inc;
    }
  }
  assert.ok(renoSteps > 0);
  // W_est switched to alpha = 1 once it reached cwnd_prior (10 segments) and kept growing.
  assert.ok(w.wEst > 10 * SEG);
  close(cwnd, w.wEst, 1e-9);
});

test('fast convergence lowers W_max when the window shrinks between events (§4.7)', () => {
  const fc = new CubicWindow();
  fc.onCongestionEvent(100 * SEG, 0, MDS);
  fc.onCongestionEvent(80 * SEG, 1, MDS);
  close(fc.wMax, (80 * SEG * (1 + CUBIC_BETA)) / 2);
  const off = new CubicWindow({ fastConvergence: false });
  off.onCongestionEvent(100 * SEG, 0, MDS);
  off.onCongestionEvent(80 * SEG, 1, MDS);
  assert.is(off.wMax, 80 * SEG);
});

test('after persistent congestion the next stage uses K = 0 and W_max = cwnd_epoch (§4.8)', () => {
  const w = new CubicWindow();
  w.onCongestionEvent(100 * SEG, 0, MDS);
  w.onPersistentCongestion();
  w.increase(20 * SEG, SEG, 5000, 100, MDS);
  assert.is(w.k, 0);
  assert.is(w.wMax, 20 * SEG);
  close(w.wCubic(1, MDS), (CUBIC_C * 1 + 20) * SEG);
});

test('app-limited periods are left out of t (§4.2, §5.8)', () => {
  const w = new CubicWindow({ fastConvergence: false });
  w.onCongestionEvent(100 * SEG, 0, MDS);
  const cwnd = 70 * SEG;
  w.increase(cwnd, SEG, 0, 100, MDS);
  w.increase(cwnd, SEG, 1000, 100, MDS); // last growth at t = 1 s
  w.onAppLimited(3000); // ACKs while app-limited from 1 s to 5 s
  w.onAppLimited(4000);
  const inc = w.increase(cwnd, SEG, 5000, 100, MDS);
  assert.is(w.epochStart, 4000);
  // The curve is evaluated at t = 1 s, as if the idle 4 s never happened.
  const target = wCubic(1.1, kOf(100, 70), 100) * SEG;
  close(inc, ((target - cwnd) / cwnd) * SEG);
});

test('the window climbs back to W_max around K, then probes beyond it', () => {
  const cc = new Cubic({ fastConvergence: false, detectAppLimited: false });
  const rtt = new RttEstimator();
  rtt.update(100, 0, 0);
  // Grow to 100 segments in slow start, then lose.
  const fill = (t: number): CongestionPacket[] => {
    const out: CongestionPacket[] = [];
    const n = Math.floor(cc.window / MDS);
    for (let i = 0; i < n; i++) {
      cc.onPacketSent(t, MDS);
      out.push({ timeSent: t, size: MDS, inFlight: true });
    }
    return out;
  };
  let now = 0;
  while (cc.window < 100 * SEG) {
    cc.onPacketsAcked(now + 100, fill(now), rtt);
    now += 100;
  }
  const peak = cc.window;
  cc.onCongestionEvent(now, now - 1);
  assert.is(cc.window, Math.floor(peak * 0.7));
  const k = Math.cbrt((peak - peak * 0.7) / SEG / CUBIC_C);
  const start = now + 100; // first ACK of a packet sent after the event starts the epoch
  const at: Record<string, number> = {};
  while (now < start + 10_000) {
    const flight = fill(now + 1);
    now += 100;
    cc.onPacketsAcked(now, flight, rtt);
    const t = (now - start) / 1000;
    if (Math.abs(t - k) < 0.05) at.k = cc.window;
    if (Math.abs(t - 1) < 0.05) at.one = cc.window;
  }
  // Concave approach: close to W_max by t = K (the target runs one RTT ahead).
  assert.ok(at.k! >= peak * 0.98 && at.k! <= peak * 1.05, `at K: ${at.k} vs ${peak}`);
  assert.ok(at.one! > peak * 0.7 && at.one! < peak);
  // Convex probing afterwards.
  assert.ok(cc.window > peak * 1.2);
});

test('Cubic controller: name, decrease on loss, slow start like NewReno', () => {
  const cc = new Cubic();
  assert.is(cc.name, 'cubic');
  assert.is(cc.window, 12000);
  cc.onCongestionEvent(10, 0);
  assert.is(cc.window, 8400);
  assert.is(cc.ssthresh, 8400);
  assert.is(cc.cubic.wMax, 12000);
});

test('spurious loss undo restores the CUBIC state (RFC 9438 §4.9.2)', () => {
  const cc = new Cubic();
  cc.onCongestionEvent(10, 0);
  const wMax = cc.cubic.wMax;
  cc.onCongestionEvent(100, 50); // second event: W_max lowered by fast convergence
  assert.ok(cc.cubic.wMax < wMax);
  cc.onSpuriousCongestionEvent();
  assert.is(cc.cubic.wMax, wMax);
  assert.is(cc.window, 8400);
});

test.run();
