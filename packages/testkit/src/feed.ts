/**
 * Helpers that cut bytes into pieces, to test that incremental parsers give the same result
 * however their input is split (one byte at a time, at every split point, at random points).
 * Every piece is a copy, so a parser cannot accidentally read past its piece into the original.
 * @module
 */
import type { SeededRandom } from './random.ts';

/** Consecutive pieces of `size` bytes (the last may be shorter). `chunksOf(b, 1)` is byte-at-a-time. */
export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** Every two-piece split `[bytes[0..i), bytes[i..)]` for i = 0..length, empty pieces included. */
export function everySplit(bytes: Uint8Array): Array<[Uint8Array, Uint8Array]> {
  const out: Array<[Uint8Array, Uint8Array]> = [];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.slice(0, i), bytes.slice(i)]);
  return out;
}

/**
 * `bytes` cut at random points into at most `maxPieces` non-empty pieces (default: up to one per
 * byte). The pieces concatenate back to `bytes`.
 */
export function randomSplits(bytes: Uint8Array, rng: SeededRandom, maxPieces = bytes.length): Uint8Array[] {
  if (bytes.length === 0) return [];
  const pieces = 1 + rng.int(Math.max(1, Math.min(maxPieces, bytes.length)));
  const cuts = new Set<number>();
  while (cuts.size < pieces - 1) cuts.add(1 + rng.int(bytes.length - 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < points.length; i++) out.push(bytes.slice(points[i], points[i + 1]));
  return out;
}

/** Concatenates pieces (to check that a split is lossless). */
export function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of pieces) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
