import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MtuProber, BASE_DATAGRAM_SIZE } from '@quicts/quic-core';

test('starts at 1200 and probes the target first', () => {
  const m = new MtuProber();
  assert.is(m.current, BASE_DATAGRAM_SIZE);
  assert.is(m.probeSize, 0);
  m.start(1452);
  assert.is(m.probeSize, 1452);
  m.onProbeSent();
  assert.is(m.probeSize, 0, 'one probe at a time');
  assert.ok(m.onProbeAcked(1452));
  assert.is(m.current, 1452);
  assert.is(m.probeSize, 0, 'done');
});

test('three losses of a size move the search down; an ack moves it up', () => {
  const m = new MtuProber();
  m.start(1500);
  for (let i = 0; i < 3; i++) {
    assert.is(m.probeSize, 1500);
    m.onProbeSent();
    m.onProbeLost(1500);
  }
  const next = m.probeSize;
  assert.ok(next > 1200 && next < 1500, `next candidate ${next}`);
  m.onProbeSent();
  m.onProbeAcked(next);
  assert.is(m.current, next);
  assert.ok(m.probeSize > next && m.probeSize < 1500);
});

test('a path that carries nothing above 1200 ends the search at 1200', () => {
  const m = new MtuProber();
  m.start(1452);
  for (let n = 0; n < 100 && m.probeSize > 0; n++) {
    const s = m.probeSize;
    m.onProbeSent();
    m.onProbeLost(s);
  }
  assert.is(m.probeSize, 0);
  assert.is(m.current, 1200);
});

test('a target not above 1200 starts nothing', () => {
  const m = new MtuProber();
  m.start(1200);
  assert.is(m.probeSize, 0);
});

test.run();
