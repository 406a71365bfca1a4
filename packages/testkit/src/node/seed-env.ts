/**
 * Chooses the seed of a randomized test: the SIM_SEED environment variable when set (to replay a
 * failure), otherwise the given default, otherwise a fresh random seed.
 * @module
 */
import process from 'node:process';
import { randomInt } from 'node:crypto';

/** Largest seed `envSeed` draws at random (fits comfortably in a safe integer). */
const MAX_RANDOM_SEED = 2 ** 32;

export function envSeed(fallback?: number): number {
  const raw = process.env['SIM_SEED'];
  if (raw !== undefined && raw.trim() !== '') {
    const seed = Number(raw);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`SIM_SEED must be a non-negative integer, got "${raw}"`);
    return seed;
  }
  return fallback ?? randomInt(MAX_RANDOM_SEED);
}
