import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SeededRandom } from '@quicts/testkit';
import type { AckFrame } from '@quicts/quic-core';
import { AckTracker, PacketNumberSpace, Recovery } from '../../src/recovery/index.ts';

const App = PacketNumberSpace.ApplicationData;

/**
 * A sender (Recovery) and a receiver (AckTracker) over a lossy link with 20 ms one-way delay
 * and a fake clock that jumps to the next event. Checks the bookkeeping invariants after every
 * event and returns the fate of every packet.
 */
function simulate(seed: number, lossRate: number, algorithm: 'newreno' | 'cubic', total: number) {
  const rng = new SeededRandom(seed);
  const r = new Recovery<null>({ isServer: true, congestion: { algorithm }, maxAckDelay: 25 });
  r.loss.onHandshakeConfirmed(0);
  const rx = new AckTracker(App, { maxAckDelay: 25 });
  const toRx: { at: number; pn: number }[] = [];
  const toTx: { at: number; ack: AckFrame }[] = [];
  const fate = new Map<number, 'acked' | 'lost'>();
  let pn = 0;
  let now = 0;
  const sendOne = () => {
    r.onPacketSent(App, { pn, timeSent: now, size: 1200, ackEliciting: true, inFlight: true, largestAcked: -1, frames: null });
    if (!rng.chance(lossRate)) toRx.push({ at: now + 20, pn });
    pn++;
  };
  const settle = (p: { pn: number }, how: 'acked' | 'lost') => {
    assert.is(fate.get(p.pn), undefined, `packet ${p.pn} resolved twice`);
    fate.set(p.pn, how);
  };
  for (let steps = 0; steps < 100_000; steps++) {
    while (toRx.length > 0 && toRx[0]!.at <= now) rx.onPacketReceived(toRx.shift()!.pn, true, now);
    if (rx.ackDue(now)) {
      const ack = rx.buildAck(now, 3)!;
      rx.onAckSent();
      if (!rng.chance(lossRate)) toTx.push({ at: now + 20, ack });
    }
    while (toTx.length > 0 && toTx[0]!.at <= now) {
      const out = r.onAckFrame(App, toTx.shift()!.ack, 3, now);
      for (const p of out.acked) settle(p, 'acked');
      for (const p of out.lost) settle(p, 'lost');
    }
    let probes = 0;
    const deadline = r.timerDeadline();
    if (deadline !== undefined && deadline <= now) {
      const t = r.onLossDetectionTimeout(now);
      if (t.kind === 'loss') for (const p of t.lost) settle(p, 'lost');
      if (t.kind === 'pto') probes = t.probes;
    }
    // Probes bypass congestion control; new data waits for the window and the pacer.
    for (; probes > 0; probes--) sendOne();
    while (pn < total && r.canSend(1200) && r.nextSendTime(now, 1200) <= now) sendOne();
    assert.is(r.cc.bytesInFlight, r.loss.bytesInFlight);
    assert.ok(r.cc.window >= 2400);
    if (r.loss.ackElicitingInFlight > 0) assert.ok(r.timerDeadline() !== undefined, 'a timer while packets are outstanding');
    // Jump to the next event.
    let next = Infinity;
    if (toRx.length > 0) next = Math.min(next, toRx[0]!.at);
    if (toTx.length > 0) next = Math.min(next, toTx[0]!.at);
    const ackAt = rx.ackDeadline();
    if (ackAt !== undefined) next = Math.min(next, ackAt);
    const timer = r.timerDeadline();
    if (timer !== undefined) next = Math.min(next, timer);
    if (pn < total && r.canSend(1200)) next = Math.min(next, r.nextSendTime(now, 1200));
    if (next === Infinity) break;
    now = Math.max(now, next);
  }
  return { r, fate, sent: pn, now };
}

test('lossy link: every packet ends acknowledged or lost exactly once, accounting stays equal', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 0x7fffffff }),
    fc.constantFrom(0.01, 0.05, 0.3),
    fc.constantFrom('newreno' as const, 'cubic' as const),
    (seed, lossRate, algorithm) => {
      const { r, fate, sent } = simulate(seed, lossRate, algorithm, 300);
      assert.is(r.loss.ackElicitingInFlight, 0, `seed ${seed}: everything resolved`);
      assert.ok(sent >= 300);
      for (let pn = 0; pn < sent; pn++) assert.ok(fate.has(pn), `seed ${seed}: packet ${pn} unresolved`);
      assert.is(r.cc.bytesInFlight, 0);
    },
  ), { numRuns: 30 });
});

test('clean link: no loss, the window only grows, min RTT is the 40 ms path', () => {
  const { r, fate, now } = simulate(1, 0, 'cubic', 2000);
  assert.is(fate.size, 2000);
  assert.ok([...fate.values()].every((f) => f === 'acked'));
  assert.ok(r.cc.window > 12000);
  assert.ok(Math.abs(r.rtt.min - 40) < 1e-6);
  assert.ok(now < 10_000);
});

test.run();
