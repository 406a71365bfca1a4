import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LossDetection, PacketNumberSpace, decodeAckDelay } from '../../src/recovery/index.ts';
import { TransportError, TransportErrorCode } from '@quicts/quic-core';
import { send, pns } from './helpers.ts';

const { Initial, Handshake, ApplicationData: App } = PacketNumberSpace;

/** A server-side detector with the handshake confirmed: only ApplicationData rules apply. */
function confirmed(options: Partial<ConstructorParameters<typeof LossDetection>[0]> = {}): LossDetection<string> {
  const ld = new LossDetection<string>({ isServer: true, ...options });
  ld.onHandshakeConfirmed(0);
  return ld;
}

test('newly acknowledged packets come back in order with an RTT sample', () => {
  const ld = confirmed();
  for (let pn = 0; pn < 5; pn++) send(ld, App, pn, pn);
  const out = ld.onAckReceived(App, [[3, 4], [0, 1]], 0, undefined, 100);
  assert.equal(pns(out.acked), [0, 1, 3, 4]);
  assert.ok(out.rttSampled);
  assert.is(ld.rtt.latest, 96); // 100 - time of packet 4
  assert.is(ld.largestAcked(App), 4);
  assert.equal(pns(out.lost), []);
  assert.is(out.acked[0]!.frames, 'frames of 0');
  // Acknowledging again changes nothing and takes no sample.
  const again = ld.onAckReceived(App, [[0, 4]], 0, undefined, 101);
  assert.equal(pns(again.acked), [2]);
  assert.not.ok(again.rttSampled); // largest (4) not newly acknowledged
  assert.is(ld.rtt.latest, 96);
});

test('no RTT sample when only non-ack-eliciting packets are newly acknowledged (RFC 9002 §5.1)', () => {
  const ld = confirmed();
  send(ld, App, 0, 0, { ackEliciting: false });
  const out = ld.onAckReceived(App, [[0, 0]], 0, undefined, 50);
  assert.equal(pns(out.acked), [0]);
  assert.not.ok(out.rttSampled);
  assert.not.ok(ld.rtt.hasSample);
});

test('ACK delay: ignored for Initial, capped by max_ack_delay once confirmed', () => {
  const a = new LossDetection<string>({ isServer: true });
  send(a, Initial, 0, 0);
  send(a, Initial, 1, 100);
  a.onAckReceived(Initial, [[0, 0]], 0, undefined, 100);
  a.onAckReceived(Initial, [[1, 1]], 50, undefined, 250); // sample 150, delay ignored
  assert.is(a.rtt.smoothed, 0.875 * 100 + 0.125 * 150);
  const b = confirmed({ maxAckDelay: 20 });
  send(b, App, 0, 0);
  send(b, App, 1, 100);
  b.onAckReceived(App, [[0, 0]], 0, undefined, 100);
  b.onAckReceived(App, [[1, 1]], 50, undefined, 250); // delay capped to 20: adjusted 130
  assert.is(b.rtt.smoothed, 0.875 * 100 + 0.125 * 130);
  assert.is(decodeAckDelay(1000, 3), 8);
});

test('acknowledging a packet never sent is PROTOCOL_VIOLATION (RFC 9000 §13.1)', () => {
  const ld = confirmed();
  send(ld, App, 0, 0);
  assert.throws(() => ld.onAckReceived(App, [[0, 1]], 0, undefined, 10),
    (e: unknown) => e instanceof TransportError && e.code === TransportErrorCode.PROTOCOL_VIOLATION);
});

test('packet threshold: a packet 3 below an acknowledged one is lost (RFC 9002 §6.1.1)', () => {
  const ld = confirmed();
  for (let pn = 0; pn < 5; pn++) send(ld, App, pn, 0);
  const out = ld.onAckReceived(App, [[3, 3]], 0, undefined, 10);
  assert.equal(pns(out.lost), [0]);
  assert.is(out.lostSentTime, 0);
  // 1 and 2 wait for the time threshold: 9/8 * max(latest 10, srtt 10) after sending.
  assert.is(ld.lossTime(App), 11.25);
  assert.is(ld.timerDeadline(), 11.25);
  const out2 = ld.onAckReceived(App, [[4, 4]], 0, undefined, 10);
  assert.equal(pns(out2.lost), [1]);
});

test('time threshold: the loss timer declares the packet lost (RFC 9002 §6.1.2)', () => {
  const ld = confirmed();
  send(ld, App, 0, 0);
  send(ld, App, 1, 10);
  const out = ld.onAckReceived(App, [[1, 1]], 0, undefined, 110); // sample 100
  assert.equal(pns(out.lost), []);
  assert.is(ld.timerDeadline(), 112.5); // 0 + 9/8 * 100
  assert.equal(ld.onLossDetectionTimeout(112), { kind: 'none' }); // early call: no-op
  const t = ld.onLossDetectionTimeout(112.5);
  assert.is(t.kind, 'loss');
  if (t.kind !== 'loss') return;
  assert.is(t.space, App);
  assert.equal(pns(t.lost), [0]);
  assert.is(t.lostSentTime, 0);
  assert.is(ld.timerDeadline(), undefined); // nothing left in flight
});

test('time threshold uses kGranularity as its floor', () => {
  const ld = confirmed();
  send(ld, App, 0, 0);
  send(ld, App, 1, 0);
  ld.onAckReceived(App, [[1, 1]], 0, undefined, 0.1); // latest 0.1 ms
  assert.is(ld.lossTime(App), 1);
});

test('PTO: period, exponential backoff, and reset on acknowledgment (RFC 9002 §6.2.1)', () => {
  const ld = confirmed({ maxAckDelay: 25 });
  send(ld, App, 0, 0);
  // No sample yet: 333 + 4 * 166.5 + 25.
  assert.is(ld.timerDeadline(), 1024);
  let t = ld.onLossDetectionTimeout(1024);
  assert.equal(t, { kind: 'pto', space: App, probes: 2, antiDeadlock: false });
  assert.is(ld.ptoCount, 1);
  assert.is(ld.timerDeadline(), 2048);
  send(ld, App, 1, 1024); // probe
  assert.is(ld.timerDeadline(), 1024 + 2048);
  t = ld.onLossDetectionTimeout(3072);
  assert.is(t.kind, 'pto');
  assert.is(ld.ptoCount, 2);
  assert.is(ld.timerDeadline(), 1024 + 4096);
  // PTO expiry never declares loss (RFC 9002 §6.2).
  assert.is(ld.sentPackets(App).size, 2);
  ld.onAckReceived(App, [[1, 1]], 0, undefined, 3100);
  assert.is(ld.ptoCount, 0);
});

test('ApplicationData PTO is not armed before handshake confirmation', () => {
  const ld = new LossDetection<string>({ isServer: true });
  send(ld, App, 0, 0);
  assert.is(ld.timerDeadline(), undefined);
  ld.onHandshakeConfirmed(5);
  assert.is(ld.timerDeadline(), 1024);
});

test('the PTO timer is the earliest of Initial and Handshake, without max_ack_delay', () => {
  const ld = new LossDetection<string>({ isServer: true, maxAckDelay: 25 });
  send(ld, Initial, 0, 10);
  send(ld, Handshake, 0, 5);
  assert.is(ld.timerDeadline(), 5 + 999);
  const t = ld.onLossDetectionTimeout(1004);
  assert.equal(t, { kind: 'pto', space: Handshake, probes: 2, antiDeadlock: false });
  // The backoff applies to all spaces: Initial's timeout doubles too.
  assert.is(ld.timerDeadline(), 5 + 2 * 999);
});

test('discarding a space drops its packets, resets the backoff and re-arms the timer (§6.4)', () => {
  const ld = new LossDetection<string>({ isServer: true });
  send(ld, Initial, 0, 0);
  send(ld, Initial, 1, 1, { ackEliciting: false });
  send(ld, Handshake, 0, 50);
  ld.onLossDetectionTimeout(999);
  assert.is(ld.ptoCount, 1);
  const dropped = ld.discardSpace(Initial, 1000);
  assert.equal(pns(dropped), [0, 1]);
  assert.is(ld.ptoCount, 0);
  assert.is(ld.timerDeadline(), 50 + 999);
  assert.is(ld.bytesInFlight, 1200);
  assert.ok(ld.isDiscarded(Initial));
  assert.equal(pns(ld.onAckReceived(Initial, [[0, 0]], 0, undefined, 1001).acked), []);
  assert.throws(() => send(ld, Initial, 2, 1002), RangeError);
  assert.throws(() => ld.discardSpace(App, 1003), RangeError);
});

test('client: anti-deadlock PTO while the server may not have validated its address (§6.2.2.1)', () => {
  const ld = new LossDetection<string>({ isServer: false });
  send(ld, Initial, 0, 0);
  // Initial acknowledged: nothing in flight, but the client keeps a timer armed from now.
  ld.onAckReceived(Initial, [[0, 0]], 0, undefined, 100);
  assert.is(ld.ackElicitingInFlight, 0);
  assert.is(ld.timerDeadline(), 100 + 100 + 200); // srtt 100 + 4 * rttvar 50
  let t = ld.onLossDetectionTimeout(400);
  assert.equal(t, { kind: 'pto', space: Initial, probes: 1, antiDeadlock: true });
  assert.is(ld.ptoCount, 1);
  ld.onHandshakeKeysAvailable();
  t = ld.onLossDetectionTimeout(ld.timerDeadline()!);
  assert.equal(t, { kind: 'pto', space: Handshake, probes: 1, antiDeadlock: true });
});

test('client: Initial ACKs keep the PTO backoff, a Handshake ACK resets it (§6.2.1)', () => {
  const ld = new LossDetection<string>({ isServer: false });
  send(ld, Initial, 0, 0);
  ld.onLossDetectionTimeout(999);
  assert.is(ld.ptoCount, 1);
  send(ld, Initial, 1, 999);
  ld.onAckReceived(Initial, [[0, 1]], 0, undefined, 1100);
  assert.is(ld.ptoCount, 1);
  assert.not.ok(ld.peerCompletedAddressValidation);
  send(ld, Handshake, 0, 1100);
  ld.onAckReceived(Handshake, [[0, 0]], 0, undefined, 1200);
  assert.ok(ld.peerCompletedAddressValidation);
  assert.is(ld.ptoCount, 0);
  assert.is(ld.timerDeadline(), undefined); // nothing in flight, address validated
});

test('server at the anti-amplification limit arms no PTO until a datagram arrives (A.6)', () => {
  const ld = new LossDetection<string>({ isServer: true });
  send(ld, Initial, 0, 0);
  assert.is(ld.timerDeadline(), 999);
  ld.setAmplificationBlocked(true, 10);
  assert.is(ld.timerDeadline(), undefined);
  ld.setAmplificationBlocked(false, 2000);
  assert.is(ld.timerDeadline(), 999); // already past: run the timeout at once
  assert.is(ld.onLossDetectionTimeout(2000).kind, 'pto');
});

test('persistent congestion: the RFC 9002 §7.6.3 timeline (units of 1000 ms)', () => {
  // After the second sample srtt = 1075 and rttvar = 700, so with max_ack_delay 125 the PTO
  // period is 4000 ms; the threshold scales it to the duration under test.
  const run = (threshold: number) => {
    const ld = confirmed({ maxAckDelay: 125, persistentCongestionThreshold: threshold });
    send(ld, App, 1, 0);
    send(ld, App, 2, 1000);
    ld.onAckReceived(App, [[1, 1]], 0, undefined, 1200); // first RTT sample: 1200
    for (let pn = 3; pn <= 7; pn++) send(ld, App, pn, (pn - 1) * 1000);
    send(ld, App, 8, 8000); // PTO 1
    send(ld, App, 9, 12000); // PTO 2
    return ld.onAckReceived(App, [[9, 9]], 0, undefined, 12200);
  };
  const a = run(1.5); // duration 6000
  assert.equal(pns(a.lost), [2, 3, 4, 5, 6, 7, 8]);
  assert.is(a.lostSentTime, 8000);
  // Packet 2 was sent before the first RTT sample, so the run considered is 3..8 (t = 2..8):
  // exactly 6 units, not more than the duration.
  assert.not.ok(a.persistentCongestion);
  const b = run(1.4); // duration 5600 < 6000
  assert.ok(b.persistentCongestion);
});

test('persistent congestion needs an unbroken run of lost packets', () => {
  const run = (ackMiddle: boolean) => {
    const ld = confirmed({ maxAckDelay: 0 });
    send(ld, App, 0, 0);
    ld.onAckReceived(App, [[0, 0]], 0, undefined, 10);
    for (let pn = 1; pn <= 10; pn++) send(ld, App, pn, 10 + pn * 20);
    send(ld, App, 11, 300);
    const ranges: [number, number][] = ackMiddle ? [[11, 11], [8, 8], [4, 4]] : [[11, 11]];
    // Second sample 10: srtt 10, rttvar 3.75, so the duration is 3 * (10 + 15) = 75.
    return ld.onAckReceived(App, ranges, 0, undefined, 310);
  };
  const whole = run(false);
  assert.equal(pns(whole.lost), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(whole.persistentCongestion); // 30..210
  const broken = run(true);
  assert.equal(pns(broken.lost), [1, 2, 3, 5, 6, 7, 9, 10]);
  assert.not.ok(broken.persistentCongestion); // runs 30..70, 110..150, 190..210: all under 75
});

test('persistent congestion ignores non-ack-eliciting losses and packets before the first sample', () => {
  const ld = confirmed({ maxAckDelay: 0 });
  send(ld, App, 0, 0, { ackEliciting: false, inFlight: true });
  send(ld, App, 1, 5);
  // Sample 10 at t = 15; packet 0 (before the sample) is lost by time threshold.
  assert.equal(pns(ld.onAckReceived(App, [[1, 1]], 0, undefined, 15).lost), [0]);
  send(ld, App, 2, 20, { ackEliciting: false, inFlight: true });
  send(ld, App, 3, 50);
  send(ld, App, 4, 200, { ackEliciting: false, inFlight: true });
  send(ld, App, 5, 400);
  const out = ld.onAckReceived(App, [[5, 5]], 0, undefined, 410);
  assert.equal(pns(out.lost), [2, 3, 4]);
  assert.is(out.lostSentTime, 200);
  assert.not.ok(out.persistentCongestion); // a 180 ms run, but only one ack-eliciting loss
});

test('ECN-CE increases are reported once, keyed to the largest newly acknowledged packet', () => {
  const ld = confirmed();
  send(ld, App, 0, 0);
  send(ld, App, 1, 5);
  let out = ld.onAckReceived(App, [[0, 1]], 0, { ect0: 2, ect1: 0, ce: 1 }, 20);
  assert.is(out.ecnCeSentTime, 5);
  send(ld, App, 2, 30);
  out = ld.onAckReceived(App, [[0, 2]], 0, { ect0: 3, ect1: 0, ce: 1 }, 40);
  assert.is(out.ecnCeSentTime, -1);
});

test('a packet acknowledged after being declared lost is a spurious loss', () => {
  const ld = confirmed();
  for (let pn = 0; pn < 4; pn++) send(ld, App, pn, 0);
  assert.equal(pns(ld.onAckReceived(App, [[3, 3]], 0, undefined, 10).lost), [0]);
  const late = ld.onAckReceived(App, [[3, 3], [0, 0]], 0, undefined, 11);
  assert.ok(late.spuriousLoss);
  assert.equal(pns(late.acked), []);
});

test('late acknowledgment of a lost ACK-only packet is not a spurious loss', () => {
  const ld = confirmed();
  send(ld, App, 0, 0, { ackEliciting: false });
  for (let pn = 1; pn < 4; pn++) send(ld, App, pn, 0);
  assert.equal(pns(ld.onAckReceived(App, [[3, 3]], 0, undefined, 10).lost), [0]);
  assert.not.ok(ld.onAckReceived(App, [[3, 3], [0, 0]], 0, undefined, 11).spuriousLoss);
});

test('drainSpace and reset hand back every packet for resending', () => {
  const ld = new LossDetection<string>({ isServer: false });
  send(ld, Initial, 0, 0);
  send(ld, App, 0, 1); // 0-RTT
  send(ld, App, 1, 2);
  assert.equal(pns(ld.drainSpace(App, 3)), [0, 1]);
  assert.is(ld.sentPackets(App).size, 0);
  send(ld, App, 2, 4);
  const all = ld.reset();
  assert.equal(all.map((p) => p.frames), ['frames of 0', 'frames of 2']);
  assert.is(ld.timerDeadline(), undefined);
  assert.is(ld.bytesInFlight, 0);
});

test.run();
