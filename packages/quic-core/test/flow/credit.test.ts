import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { TransportError, TransportErrorCode } from '../../src/errors.ts';
import {
  CONNECTION_SUBJECT, RecvWindow, SendCredit, streamCountSubject, streamSubject,
} from '../../src/flow/index.ts';

function throwsCode(fn: () => void, code: number): void {
  assert.throws(fn, (e: unknown) => e instanceof TransportError && e.code === code);
}

// ---------------------------------------------------------------- SendCredit

test('SendCredit: available = limit - used; consume beyond available is a RangeError', () => {
  const c = new SendCredit(CONNECTION_SUBJECT, 100);
  assert.is(c.available, 100);
  c.consume(60);
  assert.is(c.used, 60);
  assert.is(c.available, 40);
  assert.throws(() => c.consume(41), RangeError);
  c.consume(40);
  assert.is(c.available, 0);
});

test('SendCredit: limits that do not increase are ignored (RFC 9000 §4.1)', () => {
  const c = new SendCredit(streamSubject(4), 100);
  assert.is(c.raise(50), false);
  assert.is(c.raise(100), false);
  assert.is(c.limit, 100);
  assert.is(c.raise(150), true);
  assert.is(c.limit, 150);
});

test('SendCredit: one blocked frame per limit, with the subject-specific frame', () => {
  const c = new SendCredit(streamSubject(8), 10);
  c.consume(10);
  c.markBlocked();
  assert.equal(c.peekBlockedFrame(), { type: 'streamDataBlocked', streamId: 8, limit: 10 });
  assert.equal(c.takeBlockedFrame(), { type: 'streamDataBlocked', streamId: 8, limit: 10 });
  c.markBlocked();
  assert.is(c.blockedPending, false, 'not armed again at the same limit');
  assert.is(c.takeBlockedFrame(), null);
  c.raise(20);
  c.consume(10);
  c.markBlocked();
  assert.equal(c.takeBlockedFrame(), { type: 'streamDataBlocked', streamId: 8, limit: 20 });
});

test('SendCredit: DATA_BLOCKED and STREAMS_BLOCKED frames', () => {
  const conn = new SendCredit(CONNECTION_SUBJECT, 0);
  conn.markBlocked();
  assert.equal(conn.takeBlockedFrame(), { type: 'dataBlocked', limit: 0 });
  const uni = new SendCredit(streamCountSubject(false), 3);
  uni.consume(3);
  uni.markBlocked();
  assert.equal(uni.takeBlockedFrame(), { type: 'streamsBlocked', bidi: false, limit: 3 });
});

test('SendCredit: a lost blocked frame is re-armed only while still blocked at that limit', () => {
  const c = new SendCredit(CONNECTION_SUBJECT, 5);
  c.consume(5);
  c.markBlocked();
  const f = c.takeBlockedFrame()!;
  c.onBlockedLost(f.limit);
  assert.is(c.blockedPending, true);
  c.takeBlockedFrame();
  c.raise(10);
  c.onBlockedLost(f.limit);
  assert.is(c.blockedPending, false, 'stale loss after a raise');
});

test('SendCredit: raising the limit cancels a pending blocked frame', () => {
  const c = new SendCredit(CONNECTION_SUBJECT, 5);
  c.consume(5);
  c.markBlocked();
  c.raise(6);
  assert.is(c.blockedPending, false);
});

test('SendCredit property: used never exceeds the largest limit granted', () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(
      fc.record({ op: fc.constant('raise' as const), n: fc.nat(10_000) }),
      fc.record({ op: fc.constant('send' as const), n: fc.nat(5_000) }),
    )),
    (ops) => {
      const c = new SendCredit(CONNECTION_SUBJECT, 1000);
      let maxLimit = 1000;
      for (const o of ops) {
        if (o.op === 'raise') {
          c.raise(o.n);
          maxLimit = Math.max(maxLimit, o.n);
        } else {
          c.consume(Math.min(o.n, c.available));
        }
        assert.ok(c.used <= maxLimit && c.limit === maxLimit && c.available >= 0);
      }
    },
  ));
});

// ---------------------------------------------------------------- RecvWindow

test('RecvWindow: data beyond the limit is FLOW_CONTROL_ERROR with the frame type', () => {
  const w = new RecvWindow(streamSubject(0), 100);
  w.receiveTo(100);
  assert.throws(() => w.receiveTo(101, 0x08), (e: unknown) =>
    e instanceof TransportError && e.code === TransportErrorCode.FLOW_CONTROL_ERROR && e.frameType === 0x08);
});

test('RecvWindow: connection-level receive(n) sums increases', () => {
  const w = new RecvWindow(CONNECTION_SUBJECT, 100);
  w.receive(60);
  w.receive(40);
  assert.is(w.received, 100);
  throwsCode(() => w.receive(1), TransportErrorCode.FLOW_CONTROL_ERROR);
});

test('RecvWindow: stream counts beyond the limit are STREAM_LIMIT_ERROR', () => {
  const w = new RecvWindow(streamCountSubject(true), 3);
  w.receiveTo(3);
  throwsCode(() => w.receiveTo(4), TransportErrorCode.STREAM_LIMIT_ERROR);
});

test('RecvWindow: received is a high-water mark (reordering does not lower it)', () => {
  const w = new RecvWindow(streamSubject(0), 100);
  w.receiveTo(80);
  w.receiveTo(20);
  assert.is(w.received, 80);
});

test('RecvWindow: no update until half the window is consumed, then limit = retired + window', () => {
  const w = new RecvWindow(CONNECTION_SUBJECT, 1000);
  w.receive(1000);
  w.retire(499);
  assert.is(w.updatePending, false);
  assert.is(w.takeUpdateFrame(0, 100), null);
  w.retire(1);
  assert.is(w.updatePending, true);
  assert.equal(w.takeUpdateFrame(0, 100), { type: 'maxData', maximum: 1500 });
  assert.is(w.limit, 1500);
  assert.is(w.updatePending, false);
});

test('RecvWindow: retiring more than received is a RangeError', () => {
  const w = new RecvWindow(streamSubject(0), 100);
  w.receiveTo(10);
  assert.throws(() => w.retireTo(11), RangeError);
});

test('RecvWindow: MAX_STREAM_DATA and MAX_STREAMS frames', () => {
  const s = new RecvWindow(streamSubject(5), 10);
  s.receiveTo(10);
  s.retireTo(10);
  assert.equal(s.takeUpdateFrame(0, 0), { type: 'maxStreamData', streamId: 5, maximum: 20 });
  const n = new RecvWindow(streamCountSubject(false), 4);
  n.receiveTo(4);
  n.retire(2);
  assert.equal(n.takeUpdateFrame(0, 0), { type: 'maxStreams', bidi: false, maximum: 6 });
});

test('RecvWindow: stream-count window of 1 updates on each closed stream; window 0 never updates', () => {
  const one = new RecvWindow(streamCountSubject(true), 1);
  one.receiveTo(1);
  one.retire(1);
  assert.is(one.takeUpdate(0, 0), 2);
  const zero = new RecvWindow(streamCountSubject(true), 0);
  assert.is(zero.updatePending, false);
});

test('RecvWindow: a lost update is resent with the current limit; a stale loss is ignored', () => {
  const w = new RecvWindow(CONNECTION_SUBJECT, 100);
  w.receive(100);
  w.retire(60);
  const first = w.takeUpdate(0, 0)!;
  assert.is(first, 160);
  w.onUpdateLost(first);
  assert.is(w.updatePending, true);
  w.retire(10);
  assert.is(w.takeUpdate(1, 0), 170, 'the resend carries the newest limit');
  w.onUpdateLost(first);
  assert.is(w.updatePending, false, 'a newer limit was sent');
});

test('RecvWindow: peekUpdate has no side effects and matches takeUpdate', () => {
  const w = new RecvWindow(CONNECTION_SUBJECT, 100, { maxWindow: 1000 });
  w.receive(100);
  w.retire(100);
  w.takeUpdate(0, 10);
  w.receive(100);
  w.retire(100);
  const peeked = w.peekUpdate(5, 10);
  assert.is(w.peekUpdate(5, 10), peeked);
  assert.is(w.takeUpdate(5, 10), peeked);
  assert.is(peeked, 400, 'updates 5 ms apart with a 10 ms RTT: the window doubled to 200');
});

/** Simulates a receiver whose application consumes `perStep` bytes every `stepMs`; returns the final window. */
function simulateConsumption(perStep: number, stepMs: number, rtt: number, steps: number): number {
  const w = new RecvWindow(CONNECTION_SUBJECT, 64 * 1024, { maxWindow: 8 * 1024 * 1024 });
  let now = 0;
  for (let i = 0; i < steps; i++) {
    now += stepMs;
    const n = Math.min(perStep, w.limit - w.received);
    w.receive(n);
    w.retire(n);
    w.takeUpdate(now, rtt);
  }
  return w.window;
}

test('RecvWindow auto-tuning: grows under fast consumption, up to the maximum', () => {
  // 64 KiB consumed every millisecond with a 50 ms RTT: updates are needed far more often than once per RTT.
  const fast = simulateConsumption(64 * 1024, 1, 50, 2000);
  assert.ok(fast > 64 * 1024, `window grew (${fast})`);
  assert.is(fast, 8 * 1024 * 1024, 'capped at maxWindow');
});

test('RecvWindow auto-tuning: stays put under slow consumption', () => {
  // 1 KiB every 10 ms with a 50 ms RTT: an update every ~320 ms, well over 2 RTTs.
  assert.is(simulateConsumption(1024, 10, 50, 2000), 64 * 1024);
});

test('RecvWindow auto-tuning: no growth without an RTT estimate, and growTo respects the maximum', () => {
  assert.is(simulateConsumption(64 * 1024, 1, 0, 200), 64 * 1024);
  const w = new RecvWindow(CONNECTION_SUBJECT, 100, { maxWindow: 300 });
  w.growTo(250);
  assert.is(w.window, 250);
  w.growTo(10_000);
  assert.is(w.window, 300);
  w.growTo(10);
  assert.is(w.window, 300, 'never shrinks');
});

test('RecvWindow property: a sender that respects every advertised limit is never refused, and the receiver never exceeds its bound', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ send: fc.nat(3000), read: fc.nat(3000), dt: fc.nat(30) }), { maxLength: 200 }),
    fc.integer({ min: 1, max: 100 }),
    (steps, rtt) => {
      const maxWindow = 16_000;
      const w = new RecvWindow(CONNECTION_SUBJECT, 1000, { maxWindow });
      const sender = new SendCredit(CONNECTION_SUBJECT, w.limit);
      let now = 0;
      for (const s of steps) {
        now += s.dt;
        const n = Math.min(s.send, sender.available);
        sender.consume(n);
        w.receive(n); // never throws: the sender stayed within what it was told
        const r = Math.min(s.read, w.received - w.retired);
        w.retire(r);
        const f = w.takeUpdateFrame(now, rtt);
        if (f !== null) sender.raise(f.maximum);
        assert.ok(w.received - w.retired <= maxWindow, 'buffered within the maximum window');
        assert.ok(w.received <= w.limit);
      }
    },
  ));
});

test.run();
