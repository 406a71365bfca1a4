/**
 * Reordering: with probability `rate`, a datagram is held back an extra `delay` ms, so that
 * datagrams sent shortly after it arrive first.
 * @module
 */
import { checkDuration, checkProbability, type LinkElementSpec } from './element.ts';

export interface ReorderOptions {
  /** Probability that a datagram is held back. */
  rate: number;
  /** How long it is held back, in ms (default 10). */
  delay?: number;
}

export function reorder(options: ReorderOptions | number): LinkElementSpec {
  const { rate, delay = 10 } = typeof options === 'number' ? { rate: options } : options;
  checkProbability(rate, 'reorder rate');
  checkDuration(delay, 'reorder delay');
  const name = `reorder(${rate}, ${delay})`;
  return {
    name,
    create: (rng) => ({
      name,
      process: (p) => {
        if (rng.chance(rate)) p.time += delay;
        return [p];
      },
    }),
  };
}
