import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SendBuffer } from '../../src/streams/index.ts';
import type { SendChunk } from '../../src/streams/index.ts';

function bytes(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function join(chunk: SendChunk): number[] {
  return chunk.data.flatMap((v) => [...v]);
}

test('write is bounded by maxBuffered and says how much it took', () => {
  const b = new SendBuffer(100);
  assert.is(b.write(bytes(60)), 60);
  assert.is(b.write(bytes(60)), 40);
  assert.is(b.write(bytes(1)), 0);
  assert.is(b.bufferedBytes, 100);
  assert.is(b.room, 0);
});

test('chunks are views of the written arrays, never copies', () => {
  const a = bytes(10, 1);
  const c = bytes(10, 2);
  const b = new SendBuffer(1000);
  b.write(a);
  b.write(c);
  const chunk = b.nextChunk(15)!;
  assert.is(chunk.offset, 0);
  assert.is(chunk.length, 15);
  assert.is(chunk.newBytes, 15);
  assert.is(chunk.data.length, 2);
  assert.is(chunk.data[0], a, 'a whole write is handed out as is');
  assert.is(chunk.data[1]!.buffer, c.buffer);
  assert.equal(join(chunk), [...a, ...c.subarray(0, 5)]);
});

test('new data respects the flow-control limit; lost data does not need credit', () => {
  const b = new SendBuffer(1000);
  b.write(bytes(100));
  const first = b.nextChunk(1000, 30)!;
  assert.is(first.length, 30);
  assert.is(b.nextChunk(1000, 0), null, 'no credit, nothing lost');
  b.onLost(0, 30, false);
  const again = b.nextChunk(1000, 0)!;
  assert.equal([again.offset, again.length, again.newBytes], [0, 30, 0]);
});

test('lost ranges are retransmitted before new data, lowest offset first', () => {
  const b = new SendBuffer(1000);
  b.write(bytes(300));
  const c1 = b.nextChunk(100)!;
  const c2 = b.nextChunk(100)!;
  b.onLost(c2.offset, c2.length, false);
  b.onLost(c1.offset, c1.length, false);
  assert.equal(b.lostRanges(), [[0, 200]]);
  const r = b.nextChunk(150)!;
  assert.equal([r.offset, r.length, r.newBytes], [0, 150, 0]);
  const r2 = b.nextChunk(150)!;
  assert.equal([r2.offset, r2.length], [150, 50]);
  const n = b.nextChunk(150)!;
  assert.equal([n.offset, n.length, n.newBytes], [200, 100, 100]);
});

test('acknowledged parts of a lost range are not retransmitted', () => {
  const b = new SendBuffer(1000);
  b.write(bytes(100));
  b.nextChunk(100);
  b.onAcked(40, 20, false);
  b.onLost(0, 100, false);
  assert.equal(b.lostRanges(), [[0, 40], [60, 100]]);
  b.onAcked(0, 40, false);
  assert.equal(b.lostRanges(), [[60, 100]]);
  assert.is(b.ackedOffset, 60);
});

test('memory is released once acknowledged contiguously', () => {
  const b = new SendBuffer(100);
  b.write(bytes(50));
  b.write(bytes(50));
  b.nextChunk(100);
  b.onAcked(50, 50, false);
  assert.is(b.bufferedBytes, 100, 'a hole at the front keeps everything');
  b.onAcked(0, 50, false);
  assert.is(b.bufferedBytes, 0);
  assert.is(b.room, 100);
  assert.is(b.write(bytes(100)), 100);
});

test('FIN rides on the last data chunk', () => {
  const b = new SendBuffer(100);
  b.write(bytes(10));
  b.finish();
  const c = b.nextChunk(100)!;
  assert.equal([c.offset, c.length, c.fin], [0, 10, true]);
  assert.is(b.nextChunk(100), null);
  b.onAcked(0, 10, true);
  assert.is(b.allAcked, true);
});

test('FIN alone when finishing after all data was sent; a lost FIN is resent', () => {
  const b = new SendBuffer(100);
  b.write(bytes(10));
  const c = b.nextChunk(100)!;
  assert.is(c.fin, false);
  assert.is(b.hasFinOnly, false);
  b.finish();
  assert.is(b.hasFinOnly, true);
  const f = b.nextChunk(100)!;
  assert.equal([f.offset, f.length, f.fin, f.data.length], [10, 0, true, 0]);
  b.onAcked(0, 10, false);
  assert.is(b.allAcked, false);
  b.onLost(10, 0, true);
  assert.is(b.hasRetransmit, true);
  const again = b.nextChunk(100, 0)!;
  assert.equal([again.offset, again.length, again.fin], [10, 0, true]);
  b.onAcked(10, 0, true);
  assert.is(b.allAcked, true);
});

test('a retransmitted last chunk carries the lost FIN', () => {
  const b = new SendBuffer(100);
  b.write(bytes(10));
  b.finish();
  b.nextChunk(100);
  b.onLost(0, 10, true);
  const r = b.nextChunk(100)!;
  assert.equal([r.offset, r.length, r.fin], [0, 10, true]);
});

test('write after finish is a RangeError; clear drops everything', () => {
  const b = new SendBuffer(100);
  b.write(bytes(30));
  b.finish();
  assert.throws(() => b.write(bytes(1)), RangeError);
  assert.is(b.clear(), 30);
  assert.is(b.bufferedBytes, 0);
});

test('late acks and losses of released data are harmless', () => {
  const b = new SendBuffer(100);
  b.write(bytes(20));
  b.nextChunk(20);
  b.onAcked(0, 20, false);
  b.onAcked(0, 20, false);
  b.onLost(0, 20, false);
  assert.equal(b.lostRanges(), []);
  assert.is(b.nextChunk(100), null);
});

interface Op {
  kind: 'send' | 'ack' | 'lose';
  n: number;
}

test('property: in any loss and ack pattern, everything written is delivered exactly and finally acknowledged', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }),
    fc.array(fc.record({ kind: fc.constantFrom<Op['kind']>('send', 'send', 'ack', 'lose'), n: fc.nat(1000) }), { maxLength: 300 }),
    fc.integer({ min: 1, max: 700 }),
    fc.integer({ min: 1, max: 600 }),
    (sizes, ops, maxBuffered, creditStep) => {
      const writes = sizes.map((n, i) => bytes(n, i));
      const all = Uint8Array.from(writes.flatMap((w) => [...w]));
      const b = new SendBuffer(maxBuffered);
      const received = new Uint8Array(all.length);
      const inflight: SendChunk[] = [];
      let wi = 0;
      let woff = 0;
      let credit = creditStep;
      let finSeen = false;
      const feed = (): void => {
        while (wi < writes.length) {
          const w = writes[wi]!;
          woff += b.write(w.subarray(woff));
          if (woff < w.length) break;
          wi++;
          woff = 0;
        }
        if (wi === writes.length) b.finish();
        assert.ok(b.bufferedBytes <= maxBuffered, 'bound held');
      };
      const send = (max: number): boolean => {
        const c = b.nextChunk(max, credit - b.sentOffset);
        if (c === null) return false;
        assert.ok(b.sentOffset <= credit, 'flow-control limit held');
        assert.equal(join(c), [...all.subarray(c.offset, c.offset + c.length)]);
        received.set(Uint8Array.from(join(c)), c.offset);
        if (c.fin) {
          assert.is(c.offset + c.length, all.length);
          finSeen = true;
        }
        inflight.push(c);
        return true;
      };
      const settle = (i: number, acked: boolean): void => {
        const [c] = inflight.splice(i, 1);
        if (acked) b.onAcked(c!.offset, c!.length, c!.fin);
        else b.onLost(c!.offset, c!.length, c!.fin);
      };
      feed();
      for (const op of ops) {
        if (op.kind === 'send') {
          if (!send(1 + (op.n % 300))) credit += creditStep;
        } else if (inflight.length > 0) {
          settle(op.n % inflight.length, op.kind === 'ack');
        }
        feed();
      }
      // Drain: grant credit, send, and acknowledge everything.
      for (let round = 0; round < 10_000 && !b.allAcked; round++) {
        credit = Math.max(credit, all.length);
        while (send(500)) { /* keep sending */ }
        while (inflight.length > 0) settle(0, true);
        feed();
      }
      assert.ok(b.allAcked, 'all acknowledged');
      assert.ok(finSeen);
      assert.is(b.bufferedBytes, 0);
      assert.equal([...received], [...all]);
    },
  ), { numRuns: 200 });
});

test.run();
