import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRandom, chunksOf, everySplit, joinPieces, randomSplits } from '@quicts/testkit';

const bytes = Uint8Array.from({ length: 10 }, (_, i) => i + 1);

test('chunksOf cuts into fixed pieces, byte at a time included', () => {
  assert.equal(chunksOf(bytes, 1).map((c) => [...c]), [...bytes].map((b) => [b]));
  assert.equal(chunksOf(bytes, 4).map((c) => c.length), [4, 4, 2]);
  assert.equal(chunksOf(new Uint8Array(0), 3), []);
  assert.throws(() => chunksOf(bytes, 0), RangeError);
  const piece = chunksOf(bytes, 4)[0]!;
  piece[0] = 99;
  assert.is(bytes[0], 1, 'pieces are copies');
  assert.is(piece.byteOffset, 0);
  assert.is(piece.buffer.byteLength, 4);
});

test('everySplit gives every two-piece split', () => {
  const splits = everySplit(bytes);
  assert.is(splits.length, bytes.length + 1);
  splits.forEach(([x, y], i) => {
    assert.is(x.length, i);
    assert.equal(joinPieces([x, y]), bytes);
  });
});

test('randomSplits is lossless, non-empty, bounded and reproducible', () => {
  const r = new SeededRandom(8);
  for (let i = 0; i < 200; i++) {
    const pieces = randomSplits(bytes, r, 4);
    assert.ok(pieces.length >= 1 && pieces.length <= 4);
    assert.ok(pieces.every((p) => p.length > 0));
    assert.equal(joinPieces(pieces), bytes);
  }
  assert.equal(randomSplits(bytes, new SeededRandom(3)), randomSplits(bytes, new SeededRandom(3)));
  assert.equal(randomSplits(new Uint8Array(0), r), []);
  assert.equal(randomSplits(new Uint8Array([7]), r).map((p) => [...p]), [[7]]);
});

test.run();
