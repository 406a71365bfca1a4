import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { WtProtocolError, WtRecvCredit, WtSendCredit } from '@quicts/webtransport';

const flowError = (e: unknown): boolean => e instanceof WtProtocolError && e.code === 0x045d4487 && e.scope === 'session';

test('send credit: taken up to the limit, raised only upwards, blocked announced once per limit', () => {
  const c = new WtSendCredit(10, 'data');
  assert.is(c.take(4), 4);
  assert.is(c.take(10), 6);
  assert.is(c.available, 0);
  assert.is(c.blocked(), 10);
  assert.is(c.blocked(), undefined);
  assert.throws(() => c.raise(10), flowError);
  assert.is(c.raise(15), true, 'was blocked');
  assert.is(c.raise(16), false);
  assert.is(c.blocked(), 16);
});

test('receive credit: beyond the limit is WT_FLOW_CONTROL_ERROR; released units move the limit by the window', () => {
  const r = new WtRecvCredit(100, 100, 'data');
  r.receive(40);
  assert.is(r.release(40), undefined, 'less than half the window used');
  r.receive(20);
  assert.is(r.release(20), 160);
  r.receive(100);
  assert.throws(() => r.receive(1), flowError);
});

test('a sender that respects the credit never trips the receiver (fast-check)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 50 }), (window, writes) => {
    const recv = new WtRecvCredit(window, window, 'data');
    const send = new WtSendCredit(window, 'data');
    for (const w of writes) {
      const n = send.take(w);
      recv.receive(n);
      const max = recv.release(n);
      if (max !== undefined) send.raise(max);
      assert.ok(send.used <= recv.max);
    }
  }));
});

test.run();
