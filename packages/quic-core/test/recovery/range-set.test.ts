import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { RangeSet } from '../../src/recovery/index.ts';

/** Checks the invariants (sorted, disjoint, non-adjacent) and returns the values. */
function values(s: RangeSet): number[] {
  const out: number[] = [];
  let prevHi = -Infinity;
  for (let i = 0; i < s.length; i++) {
    const lo = s.lo(i);
    const hi = s.hi(i);
    assert.ok(lo <= hi, `range ${i} inverted`);
    assert.ok(lo > prevHi + 1, `range ${i} touches the previous one`);
    for (let v = lo; v <= hi; v++) out.push(v);
    prevHi = hi;
  }
  return out;
}

const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);

test('appending consecutive values keeps one range', () => {
  const s = new RangeSet();
  for (let i = 0; i < 1000; i++) assert.ok(s.insert(i));
  assert.is(s.length, 1);
  assert.equal(s.toArray(), [[0, 999]]);
  assert.not.ok(s.insert(500));
});

test('gap filling merges ranges; removal splits them', () => {
  const s = new RangeSet();
  s.insertRange(0, 4);
  s.insertRange(10, 14);
  assert.equal(s.toArray(), [[0, 4], [10, 14]]);
  s.insertRange(5, 9);
  assert.equal(s.toArray(), [[0, 14]]);
  s.remove(6, 7);
  assert.equal(s.toArray(), [[0, 5], [8, 14]]);
  s.remove(0, 0);
  s.remove(14, 20);
  assert.equal(s.toArray(), [[1, 5], [8, 13]]);
  s.removeBelow(9);
  assert.equal(s.toArray(), [[9, 13]]);
  assert.is(s.popMin(), 13);
  assert.ok(s.isEmpty);
});

test('min, max, has, indexOf, intersects, count', () => {
  const s = new RangeSet();
  assert.is(s.min(), undefined);
  assert.is(s.max(), undefined);
  s.insertRange(3, 5);
  s.insertRange(9, 9);
  assert.is(s.min(), 3);
  assert.is(s.max(), 9);
  assert.ok(s.has(4));
  assert.not.ok(s.has(6));
  assert.is(s.indexOf(9), 1);
  assert.is(s.indexOf(7), -1);
  assert.ok(s.intersects(6, 9));
  assert.not.ok(s.intersects(6, 8));
  assert.is(s.count(), 4);
});

test('property: insert/insertRange/remove/removeBelow agree with a Set', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('ins' as const), a: fc.integer({ min: 0, max: 60 }) }),
    fc.record({ k: fc.constant('range' as const), a: fc.integer({ min: 0, max: 60 }), b: fc.integer({ min: 0, max: 8 }) }),
    fc.record({ k: fc.constant('rm' as const), a: fc.integer({ min: 0, max: 60 }), b: fc.integer({ min: 0, max: 8 }) }),
    fc.record({ k: fc.constant('below' as const), a: fc.integer({ min: 0, max: 60 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
    const s = new RangeSet();
    const ref = new Set<number>();
    for (const o of ops) {
      if (o.k === 'ins') {
        assert.is(s.insert(o.a), !ref.has(o.a));
        ref.add(o.a);
      } else if (o.k === 'range') {
        let fresh = false;
        for (let v = o.a; v <= o.a + o.b; v++) if (!ref.has(v)) { fresh = true; ref.add(v); }
        assert.is(s.insertRange(o.a, o.a + o.b), fresh);
      } else if (o.k === 'rm') {
        for (let v = o.a; v <= o.a + o.b; v++) ref.delete(v);
        s.remove(o.a, o.a + o.b);
      } else {
        for (const v of [...ref]) if (v < o.a) ref.delete(v);
        s.removeBelow(o.a);
      }
      assert.equal(values(s), sorted(ref));
    }
    for (let v = 0; v < 70; v++) assert.is(s.has(v), ref.has(v));
  }), { numRuns: 300 });
});

test.run();
