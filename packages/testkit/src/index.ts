/**
 * @quicts/testkit: test utilities shared by every package's tests (fake clock, seeded random,
 * the deterministic link simulator, byte-at-a-time feeders, RFC vectors).
 * @module
 */
export * from './node/vectors.ts';
export * from './node/seed-env.ts';
export { FakeClock } from './clock.ts';
export { SeededRandom } from './random.ts';
export { withSeed, seedHint } from './seed.ts';
export { chunksOf, everySplit, randomSplits, joinPieces } from './feed.ts';
export * from './sim/index.ts';
