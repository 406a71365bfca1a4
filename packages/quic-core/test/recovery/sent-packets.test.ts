import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SentPacketList, type SentPacket } from '../../src/recovery/index.ts';
import { packet, pns } from './helpers.ts';

test('add, get, counts of bytes and ack-eliciting packets in flight', () => {
  const l = new SentPacketList<string>();
  l.add(packet(0, 0));
  l.add(packet(1, 1, { ackEliciting: false })); // ACK-only: tracked, not in flight
  l.add(packet(3, 2, { ackEliciting: false, inFlight: true, size: 1300 })); // PADDING only
  assert.is(l.size, 3);
  assert.is(l.largestSent, 3);
  assert.is(l.bytesInFlight, 2500);
  assert.is(l.ackElicitingInFlight, 1);
  assert.is(l.get(3)!.size, 1300);
  assert.is(l.get(2), undefined);
  assert.throws(() => l.add(packet(3, 3)), RangeError);
});

test('removeRange returns the covered packets in order and skips holes', () => {
  const l = new SentPacketList<string>();
  for (const pn of [0, 1, 2, 4, 5, 7, 8]) l.add(packet(pn, pn));
  const out: SentPacket<string>[] = [];
  assert.is(l.removeRange(1, 5, out), 4);
  assert.equal(pns(out), [1, 2, 4, 5]);
  assert.is(l.removeRange(1, 5, out), 0);
  assert.is(l.oldest()!.pn, 0);
  l.removeRange(0, 0, out);
  assert.is(l.oldest()!.pn, 7);
  assert.is(l.size, 2);
  assert.is(l.bytesInFlight, 2400);
});

test('drain empties the list', () => {
  const l = new SentPacketList<string>();
  for (let pn = 0; pn < 5; pn++) l.add(packet(pn, pn));
  const out: SentPacket<string>[] = [];
  l.drain(out);
  assert.equal(pns(out), [0, 1, 2, 3, 4]);
  assert.is(l.size, 0);
  assert.is(l.bytesInFlight, 0);
  assert.is(l.ackElicitingInFlight, 0);
  l.add(packet(5, 5));
  assert.is(l.get(5)!.pn, 5);
});

test('property: long runs with compaction match a Map reference', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 10 })), { maxLength: 300 }), (ops) => {
    const l = new SentPacketList<string>();
    const ref = new Map<number, number>();
    let pn = 0;
    for (const [kind, a, b] of ops) {
      if (kind !== 3) {
        pn += 1 + (a % 3);
        l.add(packet(pn, pn));
        ref.set(pn, pn);
      } else {
        const lo = Math.max(0, pn - a);
        const out: SentPacket<string>[] = [];
        l.removeRange(lo, lo + b, out);
        const expect = [...ref.keys()].filter((k) => k >= lo && k <= lo + b).sort((x, y) => x - y);
        for (const k of expect) ref.delete(k);
        assert.equal(pns(out), expect);
      }
      assert.is(l.size, ref.size);
    }
    const all: number[] = [];
    for (let i = l.start; i < l.end; i++) {
      const p = l.at(i);
      if (p) all.push(p.pn);
    }
    assert.equal(all, [...ref.keys()].sort((x, y) => x - y));
  }), { numRuns: 200 });
});

test.run();
