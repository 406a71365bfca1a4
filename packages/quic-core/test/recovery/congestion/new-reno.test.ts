import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NewReno, RttEstimator, createCongestionController, initialWindow, minimumWindow, type CongestionPacket } from '../../../src/recovery/index.ts';

const MDS = 1200;
const rtt = new RttEstimator();

/** Sends `n` full-size packets at `t` and returns their records. */
function sendN(cc: NewReno, n: number, t: number): CongestionPacket[] {
  const out: CongestionPacket[] = [];
  for (let i = 0; i < n; i++) {
    cc.onPacketSent(t, MDS);
    out.push({ timeSent: t, size: MDS, inFlight: true });
  }
  return out;
}

test('initial and minimum windows (RFC 9002 §7.2)', () => {
  assert.is(initialWindow(1200), 12000);
  assert.is(initialWindow(1500), 14720);
  assert.is(initialWindow(9000), 18000);
  assert.is(minimumWindow(1200), 2400);
  const cc = new NewReno();
  assert.is(cc.window, 12000);
  assert.is(cc.ssthresh, Infinity);
  assert.ok(cc.inSlowStart);
  assert.is(cc.name, 'newreno');
});

test('bytes in flight, canSend and available', () => {
  const cc = new NewReno();
  sendN(cc, 9, 0);
  assert.is(cc.bytesInFlight, 10800);
  assert.ok(cc.canSend(1200));
  assert.not.ok(cc.canSend(1201));
  assert.is(cc.available(), 1200);
  cc.removeFromFlight(2400);
  assert.is(cc.bytesInFlight, 8400);
});

test('slow start -> loss -> recovery -> congestion avoidance, exact windows', () => {
  const cc = new NewReno();
  // Slow start: the window grows by every acknowledged byte.
  cc.onPacketsAcked(100, sendN(cc, 10, 0), rtt);
  assert.is(cc.window, 24000);
  cc.onPacketsAcked(200, sendN(cc, 20, 100), rtt);
  assert.is(cc.window, 48000);
  assert.is(cc.bytesInFlight, 0);

  // A flight of 40 at t = 200; one is lost, detected at t = 300.
  const flight = sendN(cc, 40, 200);
  cc.removeFromFlight(MDS);
  cc.onCongestionEvent(300, 200);
  assert.is(cc.ssthresh, 24000);
  assert.is(cc.window, 24000);
  assert.is(cc.recoveryStartTime, 300);
  assert.ok(cc.inRecovery(200));
  assert.not.ok(cc.inSlowStart);
  // Acknowledgments of packets sent before recovery do not grow the window.
  cc.onPacketsAcked(310, flight.slice(1), rtt);
  assert.is(cc.window, 24000);
  // A second loss from the same flight is in the same recovery period: no new reduction.
  cc.onCongestionEvent(320, 200);
  assert.is(cc.window, 24000);

  // Congestion avoidance: one datagram per window of acknowledged bytes (byte counting).
  const ca = sendN(cc, 20, 330); // 24000 bytes, sent after recovery started
  cc.onPacketsAcked(430, ca.slice(0, 10), rtt);
  assert.is(cc.window, 24000);
  const refill = sendN(cc, 10, 430); // the sender keeps the window full
  cc.onPacketsAcked(431, ca.slice(10), rtt);
  assert.is(cc.window, 25200);
  cc.onPacketsAcked(530, refill, rtt);
  const ca2 = sendN(cc, 21, 440); // 25200 bytes
  cc.onPacketsAcked(540, ca2, rtt);
  assert.is(cc.window, 26400);

  // A loss of a packet sent after the recovery period started begins a new one.
  sendN(cc, 22, 550);
  cc.onCongestionEvent(600, 550);
  assert.is(cc.window, 13200);
  assert.is(cc.ssthresh, 13200);
});

test('the window never falls below the minimum; persistent congestion collapses it (§7.6.2)', () => {
  const cc = new NewReno();
  cc.onCongestionEvent(10, 0); // 12000 -> 6000
  cc.onCongestionEvent(20, 15); // 6000 -> 3000
  cc.onCongestionEvent(30, 25); // 3000 -> 1500, clamped
  assert.is(cc.window, 2400);
  assert.is(cc.ssthresh, 1500);
  const b = new NewReno();
  b.onCongestionEvent(10, 0);
  b.onPersistentCongestion(20);
  assert.is(b.window, 2400);
  assert.is(b.recoveryStartTime, -Infinity);
  assert.ok(b.inSlowStart);
  // Slow start again up to ssthresh (6000).
  b.onPacketsAcked(40, sendN(b, 2, 30), rtt);
  assert.is(b.window, 4800);
});

test('ECN-CE is a congestion event keyed to the sent time (§7.1)', () => {
  const cc = new NewReno();
  cc.onEcnCe(100, 50);
  assert.is(cc.window, 6000);
  cc.onEcnCe(110, 60);
  assert.is(cc.window, 6000);
});

test('app-limited: the window does not grow when under-used (§7.8)', () => {
  const cc = new NewReno();
  cc.onPacketsAcked(100, sendN(cc, 2, 0), rtt); // 2400 in flight of a 12000 window
  assert.is(cc.window, 12000);
  const plain = new NewReno({ detectAppLimited: false });
  plain.onPacketsAcked(100, sendN(plain as NewReno, 2, 0), rtt);
  assert.is(plain.window, 14400);
});

test('non-in-flight packets are ignored', () => {
  const cc = new NewReno();
  sendN(cc, 10, 0);
  cc.onPacketsAcked(100, [{ timeSent: 0, size: 50, inFlight: false }], rtt);
  assert.is(cc.bytesInFlight, 12000);
  assert.is(cc.window, 12000);
});

test('spurious congestion event undo restores the window', () => {
  const cc = new NewReno();
  cc.onPacketsAcked(100, sendN(cc, 10, 0), rtt);
  cc.onCongestionEvent(200, 150);
  assert.is(cc.window, 12000);
  cc.onSpuriousCongestionEvent();
  assert.is(cc.window, 24000);
  assert.is(cc.ssthresh, Infinity);
  cc.onSpuriousCongestionEvent(); // once only
  assert.is(cc.window, 24000);
});

test('MTU update recomputes the initial window; pacing rate; reset; factory', () => {
  const cc = new NewReno();
  cc.onMtuUpdate(1500);
  assert.is(cc.window, 14720);
  assert.is(cc.maxDatagramSize, 1500);
  assert.throws(() => cc.onMtuUpdate(1000), RangeError);
  assert.is(cc.pacingRate(100), (1.25 * 14720) / 100);
  assert.is(cc.pacingRate(0), 1.25 * 14720);
  cc.onCongestionEvent(10, 0);
  cc.reset();
  assert.is(cc.window, 14720);
  assert.is(cc.ssthresh, Infinity);
  assert.is(createCongestionController({ algorithm: 'newreno' }).name, 'newreno');
  assert.is(createCongestionController().name, 'cubic');
  assert.is(createCongestionController({}, 1500).window, 14720);
  assert.throws(() => createCongestionController({ algorithm: 'bbr' as never }), RangeError);
});

test.run();
