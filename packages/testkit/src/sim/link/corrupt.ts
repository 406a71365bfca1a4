/**
 * Corruption: with probability `rate`, flips exactly `bits` distinct random bits of a datagram
 * (all of them if it is shorter). The link owns the bytes it carries, so the sender's buffer is
 * never touched.
 * @module
 */
import { checkProbability, type LinkElementSpec } from './element.ts';

export interface CorruptOptions {
  rate: number;
  /** Number of distinct bits to flip (default 1). */
  bits?: number;
}

export function corrupt(options: CorruptOptions | number): LinkElementSpec {
  const { rate, bits = 1 } = typeof options === 'number' ? { rate: options } : options;
  checkProbability(rate, 'corrupt rate');
  if (!Number.isInteger(bits) || bits < 1) throw new RangeError(`corrupt bits must be a positive integer, got ${bits}`);
  const name = `corrupt(${rate}, ${bits})`;
  return {
    name,
    create: (rng) => ({
      name,
      process: (p, ctx) => {
        const total = p.data.length * 8;
        if (total === 0 || !rng.chance(rate)) return [p];
        const flips = Math.min(bits, total);
        const chosen = new Set<number>();
        while (chosen.size < flips) chosen.add(rng.int(total));
        for (const bit of chosen) p.data[bit >>> 3]! ^= 0x80 >>> (bit & 7);
        ctx.note(p, 'corrupt');
        return [p];
      },
    }),
  };
}
