import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pacer } from '../../src/recovery/index.ts';

const MDS = 1200;

test('rate is 1.25 * cwnd / srtt and the burst allowance is capped (RFC 9002 §7.7)', () => {
  const p = new Pacer();
  p.setRate(120_000, 100);
  assert.is(p.rate, 1500); // bytes per ms
  assert.is(p.capacity, 10 * MDS);
  p.setRate(3000, 100);
  assert.is(p.capacity, 3000); // never more than the window
  p.setRate(1000, 100);
  assert.is(p.capacity, 2 * MDS); // at least two datagrams
});

test('a full bucket lets a burst out at once, then packets are spaced at the rate', () => {
  const p = new Pacer();
  p.setRate(120_000, 100); // 1500 B/ms: one 1200-byte packet every 0.8 ms
  let now = 0;
  for (let i = 0; i < 10; i++) {
    assert.is(p.nextSendTime(now, MDS), now);
    p.onPacketSent(now, MDS);
  }
  const next = p.nextSendTime(now, MDS);
  assert.is(next, 0.8);
  now = next;
  p.onPacketSent(now, MDS);
  assert.is(p.nextSendTime(now, MDS), 1.6);
});

test('over one RTT a saturating sender sends burst + 1.25 windows, no more', () => {
  const p = new Pacer();
  const cwnd = 60_000;
  const srtt = 50;
  p.setRate(cwnd, srtt);
  let now = 0;
  let sent = 0;
  for (;;) {
    const t = p.nextSendTime(now, MDS);
    if (t > srtt) break;
    now = t;
    p.onPacketSent(now, MDS);
    sent += MDS;
  }
  const expected = p.capacity + 1.25 * cwnd;
  assert.ok(sent <= expected + MDS && sent >= expected - MDS, `sent ${sent}, expected about ${expected}`);
});

test('idle time refills the bucket only up to its capacity', () => {
  const p = new Pacer();
  p.setRate(12_000, 100);
  for (let i = 0; i < 10; i++) p.onPacketSent(0, MDS);
  assert.is(p.tokens(0), 0);
  assert.is(p.tokens(10_000), p.capacity);
});

test('a packet larger than the bucket waits for a full bucket, not forever', () => {
  const p = new Pacer({ burstPackets: 2 });
  p.setRate(2400, 100);
  p.onPacketSent(0, 2400);
  const t = p.nextSendTime(0, 5000);
  assert.is(t, 2400 / p.rate);
});

test('at high rates the bucket holds one burst interval of the rate (ms timers cannot pace finer)', () => {
  const p = new Pacer();
  assert.is(p.burstInterval, 2);
  p.setRate(1_200_000, 1); // 1.5 MB per ms: ten datagrams would last 8 us
  assert.is(p.capacity, 1_200_000); // 3 MB per interval, capped by the window
  p.setRate(1_200_000, 10); // 150 000 B/ms
  assert.is(p.capacity, 300_000);
  // A driver waking once per ms (late) still sends the full rate.
  let now = 0;
  let sent = 0;
  for (let tick = 0; tick < 100; tick++) {
    now += 1.3;
    while (p.nextSendTime(now, MDS) <= now) {
      p.onPacketSent(now, MDS);
      sent += MDS;
    }
  }
  assert.ok(sent >= 0.95 * 150_000 * now, `sent ${sent} in ${now} ms`);
  const small = new Pacer({ burstInterval: 0 });
  small.setRate(1_200_000, 10);
  assert.is(small.capacity, 10 * MDS);
});

test.run();
