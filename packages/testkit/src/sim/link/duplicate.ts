/**
 * Duplication: with probability `rate`, a second copy of the datagram follows the original
 * `delay` ms later (default 0). Each copy has its own bytes.
 * @module
 */
import { checkDuration, checkProbability, type LinkElementSpec } from './element.ts';

export interface DuplicateOptions {
  rate: number;
  /** Extra delay of the copy, in ms (default 0). */
  delay?: number;
}

export function duplicate(options: DuplicateOptions | number): LinkElementSpec {
  const { rate, delay = 0 } = typeof options === 'number' ? { rate: options } : options;
  checkProbability(rate, 'duplicate rate');
  checkDuration(delay, 'duplicate delay');
  const name = `duplicate(${rate}, ${delay})`;
  return {
    name,
    create: (rng) => ({
      name,
      process: (p, ctx) => {
        if (!rng.chance(rate)) return [p];
        const copy = { data: p.data.slice(), time: p.time + delay, seq: p.seq };
        ctx.note(copy, 'duplicate');
        return [p, copy];
      },
    }),
  };
}
