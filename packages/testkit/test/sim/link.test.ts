import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Link, SeededRandom, delay, loss, mtu } from '@quicts/testkit';
import type { TraceEvent } from '@quicts/testkit';

test('a link copies on send and delivers in arrival order', () => {
  const link = new Link([delay(10)], new SeededRandom(1), 'x');
  const buf = new Uint8Array([1, 2, 3]);
  link.send(buf, 0);
  buf[0] = 9;
  link.send(buf, 5);
  assert.is(link.inFlight, 2);
  assert.is(link.nextArrival(), 10);
  assert.is(link.takeDue(9), undefined);
  const first = link.takeDue(10)!;
  assert.equal([...first.data], [1, 2, 3]);
  assert.is(first.time, 10);
  assert.is(link.takeDue(14), undefined);
  assert.equal([...link.takeDue(15)!.data], [9, 2, 3]);
  assert.is(link.nextArrival(), undefined);
  assert.is(link.stats.delivered, 2);
  assert.is(link.stats.bytesDelivered, 6);
});

test('elements run in order and drops are counted by cause and traced', () => {
  const trace: TraceEvent[] = [];
  const link = new Link([mtu(10), loss(1)], new SeededRandom(1), 'a->b', trace);
  link.send(new Uint8Array(11), 0);
  link.send(new Uint8Array(5), 1);
  assert.equal(link.stats.droppedBy, { mtu: 1, loss: 1 });
  assert.equal(trace.map((e) => [e.event, e.seq, e.cause]), [['send', 0, undefined], ['drop', 0, 'mtu'], ['send', 1, undefined], ['drop', 1, 'loss']]);
  assert.is(link.inFlight, 0);
});

test('datagrams due at the same instant keep their send order', () => {
  const link = new Link([], new SeededRandom(1), 'x');
  for (let i = 0; i < 20; i++) link.send(new Uint8Array([i]), 0);
  const got: number[] = [];
  for (let p = link.takeDue(0); p !== undefined; p = link.takeDue(0)) got.push(p.data[0]!);
  assert.equal(got, Array.from({ length: 20 }, (_, i) => i));
});

test.run();
