import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { TransportError, TransportErrorCode } from '../../src/errors.ts';
import { Reassembler } from '../../src/streams/index.ts';

function bytes(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

function readAll(r: Reassembler, max = Infinity): number[] {
  const out: number[] = [];
  for (let d = r.read(max); d !== null; d = r.read(max)) out.push(...d);
  return out;
}

function throwsCode(fn: () => void, code: number): void {
  assert.throws(fn, (e: unknown) => e instanceof TransportError && e.code === code);
}

test('in-order data is read back as the same views', () => {
  const r = new Reassembler(1000);
  const a = bytes(100);
  r.insert(0, a);
  assert.is(r.readableBytes, 100);
  assert.is(r.read(), a);
  assert.is(r.read(), null);
  assert.is(r.readOffset, 100);
});

test('out-of-order data waits for the gap; overlaps and duplicates are merged', () => {
  const all = bytes(100);
  const r = new Reassembler(1000);
  r.insert(50, all.subarray(50, 80));
  assert.is(r.hasReadable, false);
  r.insert(60, all.subarray(60, 100));
  r.insert(50, all.subarray(50, 80));
  assert.is(r.bufferedBytes, 50);
  r.insert(0, all.subarray(0, 55));
  assert.is(r.bufferedBytes, 100);
  assert.equal(readAll(r), [...all]);
  assert.is(r.bufferedBytes, 0);
});

test('data below the read offset is ignored; a partial overlap keeps only the new tail', () => {
  const all = bytes(40);
  const r = new Reassembler(1000);
  r.insert(0, all.subarray(0, 20));
  assert.is(r.read()!.length, 20);
  r.insert(0, all.subarray(0, 20));
  assert.is(r.bufferedBytes, 0);
  r.insert(10, all.subarray(10, 40));
  assert.is(r.bufferedBytes, 20);
  assert.equal(readAll(r), [...all.subarray(20)]);
});

test('reads honour maxBytes', () => {
  const r = new Reassembler(1000);
  r.insert(0, bytes(10));
  assert.is(r.read(4)!.length, 4);
  assert.is(r.read(0), null);
  assert.is(r.read(100)!.length, 6);
});

test('a small piece of a large buffer is copied out, so whole packets are not held', () => {
  const packet = new Uint8Array(1500);
  const r = new Reassembler(1000);
  r.insert(10, packet.subarray(100, 110));
  r.insert(0, packet.subarray(200, 210));
  const first = r.read()!;
  assert.is.not(first.buffer, packet.buffer);
  const big = new Uint8Array(1200);
  const r2 = new Reassembler(2000);
  r2.insert(0, big.subarray(20, 1180));
  assert.is(r2.read()!.buffer, big.buffer, 'a large view is kept as is');
});

test('data beyond the bound is refused with the caller error code (CRYPTO_BUFFER_EXCEEDED)', () => {
  const r = new Reassembler(100, { limitErrorCode: TransportErrorCode.CRYPTO_BUFFER_EXCEEDED });
  r.insert(0, bytes(100));
  throwsCode(() => r.insert(100, bytes(1)), TransportErrorCode.CRYPTO_BUFFER_EXCEEDED);
  r.read(50);
  r.insert(100, bytes(50));
  assert.is(r.bufferedBytes, 100);
  const s = new Reassembler(10);
  throwsCode(() => s.insert(5, bytes(6)), TransportErrorCode.FLOW_CONTROL_ERROR);
});

test('RFC 9000 §4.5: data beyond a known final size is FINAL_SIZE_ERROR', () => {
  const r = new Reassembler(1000);
  r.insert(0, bytes(10), true);
  assert.is(r.finalSize, 10);
  throwsCode(() => r.insert(5, bytes(6)), TransportErrorCode.FINAL_SIZE_ERROR);
  r.insert(5, bytes(5), true); // a duplicate of the end is fine
});

test('RFC 9000 §4.5: a FIN that changes the final size is FINAL_SIZE_ERROR', () => {
  const r = new Reassembler(1000);
  r.insert(0, bytes(10), true);
  throwsCode(() => r.insert(0, bytes(5), true), TransportErrorCode.FINAL_SIZE_ERROR);
  throwsCode(() => r.insert(0, bytes(11), true), TransportErrorCode.FINAL_SIZE_ERROR);
});

test('RFC 9000 §4.5: a FIN below data already received is FINAL_SIZE_ERROR', () => {
  const r = new Reassembler(1000);
  r.insert(20, bytes(10));
  throwsCode(() => r.insert(0, bytes(10), true), TransportErrorCode.FINAL_SIZE_ERROR);
});

test('setFinalSize (RESET_STREAM): must match a known size and cover received data', () => {
  const r = new Reassembler(1000);
  r.insert(0, bytes(30));
  throwsCode(() => r.setFinalSize(29, 0x04), TransportErrorCode.FINAL_SIZE_ERROR);
  r.setFinalSize(40);
  throwsCode(() => r.setFinalSize(41), TransportErrorCode.FINAL_SIZE_ERROR);
  r.setFinalSize(40);
  throwsCode(() => r.insert(35, bytes(6)), TransportErrorCode.FINAL_SIZE_ERROR);
});

test('completion and finish: zero-length FIN, complete before read, finished after', () => {
  const r = new Reassembler(100);
  r.insert(0, new Uint8Array(0), true);
  assert.is(r.isComplete, true);
  assert.is(r.isFinished, true);
  const s = new Reassembler(100);
  s.insert(5, bytes(5), true);
  assert.is(s.isComplete, false);
  s.insert(0, bytes(5));
  assert.is(s.isComplete, true);
  assert.is(s.isFinished, false);
  readAll(s);
  assert.is(s.isFinished, true);
});

test('discard drops held and later data but keeps checking final size', () => {
  const r = new Reassembler(100);
  r.insert(10, bytes(20));
  assert.is(r.discard(), 20);
  assert.is(r.bufferedBytes, 0);
  assert.is(r.readOffset, 30);
  r.insert(30, bytes(500)); // beyond the bound, but discarded data is not held
  assert.is(r.bufferedBytes, 0);
  assert.is(r.readOffset, 530);
  r.insert(0, bytes(530), true);
  throwsCode(() => r.insert(530, bytes(1)), TransportErrorCode.FINAL_SIZE_ERROR);
});

test('property: any chunking, order, overlap and duplication reconstructs the exact bytes within the bound', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 2000 }).chain((len) => fc.record({
      len: fc.constant(len),
      pieces: fc.array(
        fc.record({ start: fc.nat(len), size: fc.nat(300) }),
        { maxLength: 60 },
      ),
      readSizes: fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 20 }),
      limit: fc.integer({ min: 1, max: 2500 }),
    })),
    ({ len, pieces, readSizes, limit }) => {
      const all = bytes(len, 3);
      const r = new Reassembler(limit);
      // Every byte gets covered: the random pieces, then a tiling that fills the gaps.
      const frames = pieces.map((p) => ({ start: p.start, end: Math.min(len, p.start + p.size) }));
      for (let s = 0; s < len; s += 97) frames.push({ start: s, end: Math.min(len, s + 97) });
      if (len === 0) frames.push({ start: 0, end: 0 });
      const out: number[] = [];
      let k = 0;
      let pending = frames;
      for (let guard = 0; pending.length > 0 && guard < 100_000; guard++) {
        const later: typeof frames = [];
        for (const f of pending) {
          // A sender stays within the window: the part beyond it waits for the reader.
          const end = Math.min(f.end, r.readOffset + limit);
          if (end < f.end) later.push({ start: Math.max(f.start, end), end: f.end });
          if (end < f.start) continue;
          r.insert(f.start, all.subarray(f.start, end), end === len);
          assert.ok(r.bufferedBytes <= limit, 'never above the bound');
          const d = r.read(readSizes[k++ % readSizes.length]!);
          if (d !== null) out.push(...d);
        }
        out.push(...readAll(r));
        pending = later;
      }
      out.push(...readAll(r));
      assert.equal(out, [...all]);
      if (frames.some((f) => f.end === len)) assert.is(r.isFinished, true);
    },
  ), { numRuns: 300 });
});

test('fuzz: random frames only ever raise TransportError', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ offset: fc.nat(3000), size: fc.nat(200), fin: fc.boolean(), reset: fc.boolean() }), { maxLength: 40 }),
    (ops) => {
      const r = new Reassembler(1000);
      for (const o of ops) {
        try {
          if (o.reset && o.fin) r.setFinalSize(o.offset);
          else r.insert(o.offset, bytes(o.size), o.fin);
          r.read(o.size);
        } catch (e) {
          assert.ok(e instanceof TransportError, String(e));
        }
        assert.ok(r.bufferedBytes <= 1000);
      }
    },
  ));
});

test.run();
