import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Recovery, PacketNumberSpace, NewReno, AckTracker } from '../../src/recovery/index.ts';
import { send, pns } from './helpers.ts';

const { Initial, Handshake, ApplicationData: App } = PacketNumberSpace;

function server(extra: Partial<ConstructorParameters<typeof Recovery>[0]> = {}): Recovery<string> {
  const r = new Recovery<string>({ isServer: true, congestion: { algorithm: 'newreno' }, ...extra });
  r.loss.onHandshakeConfirmed(0);
  return r;
}

test('the controller counts the same bytes in flight as the loss detector', () => {
  const r = server();
  for (let pn = 0; pn < 10; pn++) send(r, App, pn, 0);
  send(r, App, 10, 0, { ackEliciting: false }); // ACK-only: not in flight
  assert.is(r.cc.bytesInFlight, 12000);
  assert.is(r.loss.bytesInFlight, 12000);
  const out = r.onAckReceived(App, [[4, 9]], 0, undefined, 100);
  assert.equal(pns(out.lost), [0, 1, 2, 3]);
  assert.is(r.cc.bytesInFlight, r.loss.bytesInFlight);
  assert.is(r.cc.bytesInFlight, 0);
  // Loss of packets sent at t = 0 started a recovery period at t = 100: window halved, and
  // the acknowledgments of packets sent before it did not grow it.
  assert.is(r.cc.window, 6000);
});

test('ACK frames from the tracker drive the sender end to end', () => {
  const r = server();
  const peer = new AckTracker(App);
  for (let pn = 0; pn < 6; pn++) {
    send(r, App, pn, pn);
    if (pn !== 2) peer.onPacketReceived(pn, true, pn + 50);
  }
  const frame = peer.buildAck(60, 3)!;
  const out = r.onAckFrame(App, frame, 3, 60);
  assert.equal(pns(out.acked), [0, 1, 3, 4, 5]);
  assert.equal(pns(out.lost), [2]); // 5 >= 2 + 3
  assert.is(out.lost[0]!.frames, 'frames of 2');
  assert.ok(out.rttSampled);
  assert.is(r.rtt.latest, 55);
});

test('a loss timer expiry reduces the window; a PTO does not', () => {
  const r = server();
  send(r, App, 0, 0);
  send(r, App, 1, 10);
  r.onAckReceived(App, [[1, 1]], 0, undefined, 110);
  const before = r.cc.window;
  const t = r.onLossDetectionTimeout(r.timerDeadline()!);
  assert.is(t.kind, 'loss');
  assert.is(r.cc.window, before / 2);
  assert.is(r.cc.bytesInFlight, 0);
  send(r, App, 2, 200);
  const w = r.cc.window;
  const pto = r.onLossDetectionTimeout(r.timerDeadline()!);
  assert.is(pto.kind, 'pto');
  assert.is(r.cc.window, w);
});

test('persistent congestion collapses the window to the minimum', () => {
  const r = server({ maxAckDelay: 0 });
  send(r, App, 0, 0);
  r.onAckReceived(App, [[0, 0]], 0, undefined, 10);
  for (let pn = 1; pn <= 10; pn++) send(r, App, pn, 10 + pn * 20);
  send(r, App, 11, 300);
  const out = r.onAckReceived(App, [[11, 11]], 0, undefined, 310);
  assert.ok(out.persistentCongestion);
  // RFC 9002 A.7 order: losses first (window to the 2400 minimum, recovery cleared), then the
  // acknowledgment of packet 11 grows it in slow start.
  assert.is(r.cc.window, 2400 + 1200);
  assert.ok(r.cc.inSlowStart);
  assert.is(r.rtt.min, r.rtt.latest);
});

test('ECN-CE in an ACK is a congestion event', () => {
  const r = server();
  for (let pn = 0; pn < 10; pn++) send(r, App, pn, 0);
  r.onAckReceived(App, [[0, 9]], 0, { ect0: 9, ect1: 0, ce: 1 }, 100);
  assert.is(r.cc.window, 6000);
});

test('discarding Initial keys releases its bytes without a congestion signal', () => {
  const r = new Recovery<string>({ isServer: true });
  send(r, Initial, 0, 0);
  send(r, Handshake, 0, 1);
  const w = r.cc.window;
  assert.equal(pns(r.discardSpace(Initial, 5)), [0]);
  assert.is(r.cc.bytesInFlight, 1200);
  assert.is(r.cc.window, w);
  assert.equal(pns(r.drainSpace(Handshake, 6)), [0]);
  assert.is(r.cc.bytesInFlight, 0);
});

test('Retry resets loss recovery and congestion control', () => {
  const r = new Recovery<string>({ isServer: false, congestion: new NewReno() });
  send(r, Initial, 0, 0);
  r.cc.onCongestionEvent(10, 0);
  assert.equal(pns(r.reset()), [0]);
  assert.is(r.cc.window, 12000);
  assert.is(r.cc.bytesInFlight, 0);
  assert.is(r.timerDeadline(), undefined);
});

test('pacing: canSend follows the window, nextSendTime the pacer', () => {
  const r = server();
  assert.ok(r.canSend(12000));
  for (let pn = 0; pn < 10; pn++) send(r, App, pn, 0);
  assert.not.ok(r.canSend(1));
  assert.ok(r.nextSendTime(0, 1200) > 0); // the burst is spent
  const unpaced = server({ pacing: false });
  for (let pn = 0; pn < 10; pn++) send(unpaced, App, pn, 0);
  assert.is(unpaced.nextSendTime(0, 1200), 0);
});

test('spurious loss undo is opt-in', () => {
  const run = (undo: boolean) => {
    const r = server({ undoSpuriousLoss: undo });
    for (let pn = 0; pn < 10; pn++) send(r, App, pn, 0);
    r.onAckReceived(App, [[3, 9]], 0, undefined, 100); // 0 lost: window 12000 -> 6000
    r.onAckReceived(App, [[3, 9], [0, 0]], 0, undefined, 101); // 0 was only late
    return r.cc.window;
  };
  assert.is(run(false), 6000);
  assert.is(run(true), 12000);
});

test.run();
