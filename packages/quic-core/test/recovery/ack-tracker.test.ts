import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { AckTracker, EcnCodepoint, PacketNumberSpace } from '../../src/recovery/index.ts';
import { encodeFrame, decodeFrame, Writer, Reader } from '@quicts/quic-core';

const App = PacketNumberSpace.ApplicationData;

test('Initial and Handshake ack-eliciting packets are acknowledged at once', () => {
  for (const space of [PacketNumberSpace.Initial, PacketNumberSpace.Handshake]) {
    const t = new AckTracker(space);
    t.onPacketReceived(0, true, 100);
    assert.is(t.ackDeadline(), 100);
    assert.ok(t.ackDue(100));
  }
});

test('1-RTT: the first ack-eliciting packet arms max_ack_delay, the second makes the ACK due', () => {
  const t = new AckTracker(App, { maxAckDelay: 25 });
  t.onPacketReceived(0, true, 1000);
  assert.is(t.ackDeadline(), 1025);
  assert.not.ok(t.ackDue(1024));
  assert.ok(t.ackDue(1025));
  t.onPacketReceived(1, true, 1010);
  assert.is(t.ackDeadline(), 1010);
  t.onAckSent();
  assert.is(t.ackDeadline(), undefined);
  t.onPacketReceived(2, true, 1020);
  assert.is(t.ackDeadline(), 1045);
});

test('non-ack-eliciting packets never make an ACK due, but are acknowledged along', () => {
  const t = new AckTracker(PacketNumberSpace.Initial);
  t.onPacketReceived(0, false, 5);
  t.onPacketReceived(1, false, 6);
  assert.is(t.ackDeadline(), undefined);
  assert.ok(t.hasNewPackets);
  assert.equal(t.buildAck(6, 3)!.ranges, [[0, 1]]);
});

test('out-of-order and gap packets trigger an immediate ACK (RFC 9000 §13.2.1)', () => {
  const t = new AckTracker(App, { maxAckDelay: 25, ackElicitingThreshold: 10 });
  t.onPacketReceived(0, true, 0);
  assert.is(t.ackDeadline(), 25);
  t.onAckSent();
  t.onPacketReceived(1, true, 1); // in order
  assert.is(t.ackDeadline(), 26);
  t.onAckSent();
  t.onPacketReceived(3, true, 2); // gap: 2 missing
  assert.is(t.ackDeadline(), 2);
  t.onAckSent();
  t.onPacketReceived(2, true, 3); // fills the gap, below the largest ack-eliciting
  assert.is(t.ackDeadline(), 3);
  t.onAckSent();
  // Non-ack-eliciting packets in between do not count as missing.
  t.onPacketReceived(4, false, 4);
  t.onPacketReceived(5, true, 5);
  assert.is(t.ackDeadline(), 30);
});

test('a CE-marked ack-eliciting packet is acknowledged at once; ECN counts appear in the frame', () => {
  const t = new AckTracker(App, { ackElicitingThreshold: 10 });
  t.onPacketReceived(0, true, 0, EcnCodepoint.Ect0);
  assert.is(t.ackDeadline(), 25);
  t.onPacketReceived(1, true, 1, EcnCodepoint.Ce);
  assert.is(t.ackDeadline(), 1);
  t.onPacketReceived(2, false, 2, EcnCodepoint.Ect1);
  t.onPacketReceived(2, false, 2, EcnCodepoint.Ect1); // duplicate: not counted
  const ack = t.buildAck(2, 3)!;
  assert.equal(ack.ecn, { ect0: 1, ect1: 1, ce: 1 });
  const plain = new AckTracker(App);
  plain.onPacketReceived(0, true, 0);
  assert.is(plain.buildAck(0, 3)!.ecn, undefined);
});

test('duplicates are detected and change nothing', () => {
  const t = new AckTracker(App);
  assert.ok(t.onPacketReceived(7, true, 0));
  assert.ok(t.isDuplicate(7));
  assert.not.ok(t.onPacketReceived(7, true, 1));
  assert.not.ok(t.isDuplicate(6));
  assert.is(t.largestReceived, 7);
});

test('ACK frame content: largest, delay in scaled microseconds, ranges newest first', () => {
  const t = new AckTracker(App);
  for (const pn of [0, 1, 2, 5, 6, 9]) t.onPacketReceived(pn, true, 1000);
  t.onPacketReceived(10, true, 1003);
  const ack = t.buildAck(1010, 3)!;
  assert.is(ack.type, 'ack');
  assert.is(ack.largest, 10);
  assert.is(ack.ackDelay, Math.floor(7000 / 8)); // 7 ms = 7000 us, exponent 3
  assert.equal(ack.ranges, [[9, 10], [5, 6], [0, 2]]);
  assert.equal(t.buildAck(1010, 3, 2)!.ranges, [[9, 10], [5, 6]]);
  assert.is(t.buildAck(1010, 0)!.ackDelay, 7000);
  // The frame encodes and decodes as an ACK frame.
  const w = new Writer();
  encodeFrame(w, ack);
  const back = decodeFrame(new Reader(w.finish()));
  assert.equal((back as typeof ack).ranges, ack.ranges);
});

test('nothing to acknowledge gives null', () => {
  assert.is(new AckTracker(App).buildAck(0, 3), null);
});

test('acknowledged ACK frames shrink the ranges and raise the duplicate floor (§13.2.4)', () => {
  const t = new AckTracker(App);
  for (const pn of [0, 1, 2, 4, 5, 8]) t.onPacketReceived(pn, true, 0);
  t.onAckAcknowledged(4);
  assert.equal(t.buildAck(0, 3)!.ranges, [[8, 8], [5, 5]]);
  assert.is(t.floor, 5);
  assert.ok(t.isDuplicate(3)); // never received, but below the floor
  assert.not.ok(t.onPacketReceived(3, true, 1));
  t.onAckAcknowledged(2); // older: no effect
  assert.is(t.floor, 5);
  t.onAckAcknowledged(8);
  assert.is(t.buildAck(0, 3), null);
  assert.is(t.largestReceived, 8);
  t.onPacketReceived(9, true, 2);
  assert.equal(t.buildAck(2, 3)!.ranges, [[9, 9]]);
});

test('the number of tracked ranges is capped; the oldest are forgotten', () => {
  const t = new AckTracker(App, { maxRanges: 4 });
  for (let pn = 0; pn < 20; pn += 2) t.onPacketReceived(pn, false, 0);
  assert.is(t.ranges.length, 4);
  assert.equal(t.buildAck(0, 3)!.ranges, [[18, 18], [16, 16], [14, 14], [12, 12]]);
  assert.ok(t.isDuplicate(9));
  assert.not.ok(t.isDuplicate(11));
});

test('property: tracked ranges equal the set of accepted packet numbers', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 150 }), (pns) => {
    const t = new AckTracker(App, { maxRanges: 1000 });
    const seen = new Set<number>();
    for (const pn of pns) {
      assert.is(t.onPacketReceived(pn, true, 0), !seen.has(pn));
      seen.add(pn);
    }
    const ack = t.buildAck(0, 3);
    if (seen.size === 0) return assert.is(ack, null);
    const got: number[] = [];
    for (const [lo, hi] of ack!.ranges) for (let v = hi; v >= lo; v--) got.push(v);
    assert.equal(got, [...seen].sort((a, b) => b - a));
    assert.is(ack!.largest, Math.max(...seen));
  }));
});

test.run();
