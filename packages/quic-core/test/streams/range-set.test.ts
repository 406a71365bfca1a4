import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { ByteRanges } from '../../src/streams/range-set.ts';

test('add merges touching and overlapping ranges; remove splits', () => {
  const r = new ByteRanges();
  r.add(10, 20);
  r.add(30, 40);
  r.add(20, 30);
  assert.equal(r.toArray(), [[10, 40]]);
  r.remove(15, 25);
  assert.equal(r.toArray(), [[10, 15], [25, 40]]);
  r.remove(0, 12);
  r.remove(39, 100);
  assert.equal(r.toArray(), [[12, 15], [25, 39]]);
  assert.is(r.size, 17);
  const gaps: Array<[number, number]> = [];
  r.forEachGap(0, 50, (s, e) => gaps.push([s, e]));
  assert.equal(gaps, [[0, 12], [15, 25], [39, 50]]);
});

test('property: ByteRanges matches a per-byte model', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ add: fc.boolean(), s: fc.nat(200), len: fc.nat(40) }), { maxLength: 80 }),
    (ops) => {
      const r = new ByteRanges();
      const model = new Array<boolean>(260).fill(false);
      for (const o of ops) {
        if (o.add) r.add(o.s, o.s + o.len);
        else r.remove(o.s, o.s + o.len);
        for (let i = o.s; i < o.s + o.len; i++) model[i] = o.add;
        const ranges = r.toArray();
        for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i - 1]![1] < ranges[i]![0], 'disjoint, merged, sorted');
        const covered = new Array<boolean>(260).fill(false);
        for (const [s, e] of ranges) for (let i = s; i < e; i++) covered[i] = true;
        assert.equal(covered, model);
        const gapCovered = new Array<boolean>(260).fill(true);
        r.forEachGap(0, 260, (s, e) => { for (let i = s; i < e; i++) gapCovered[i] = false; });
        assert.equal(gapCovered, model);
      }
    },
  ));
});

test.run();
