/**
 * Datagram loss: independent random loss, or bursty loss from a two-state Gilbert-Elliott
 * model (a "good" and a "bad" state, each with its own loss probability).
 * @module
 */
import { checkProbability, type LinkElementSpec } from './element.ts';

/** Drops each datagram independently with probability `rate`. */
export function loss(rate: number): LinkElementSpec {
  checkProbability(rate, 'loss rate');
  return {
    name: `loss(${rate})`,
    create: (rng) => ({
      name: `loss(${rate})`,
      process: (p, ctx) => {
        if (rng.chance(rate)) {
          ctx.drop(p, 'loss');
          return [];
        }
        return [p];
      },
    }),
  };
}

export interface BurstLossOptions {
  /** Probability of moving from the good to the bad state, per datagram. */
  goodToBad: number;
  /** Probability of moving from the bad to the good state, per datagram. */
  badToGood: number;
  /** Loss probability in the good state (default 0). */
  lossInGood?: number;
  /** Loss probability in the bad state (default 1). */
  lossInBad?: number;
}

/**
 * Gilbert-Elliott loss. The long-run loss rate is
 * `(badToGood * lossInGood + goodToBad * lossInBad) / (goodToBad + badToGood)`, and the mean
 * burst length in the bad state is `1 / badToGood` datagrams.
 */
export function burstLoss(options: BurstLossOptions): LinkElementSpec {
  const { goodToBad, badToGood, lossInGood = 0, lossInBad = 1 } = options;
  checkProbability(goodToBad, 'goodToBad');
  checkProbability(badToGood, 'badToGood');
  checkProbability(lossInGood, 'lossInGood');
  checkProbability(lossInBad, 'lossInBad');
  const name = `burstLoss(${goodToBad}, ${badToGood}, ${lossInGood}, ${lossInBad})`;
  return {
    name,
    create: (rng) => {
      let bad = false;
      return {
        name,
        process: (p, ctx) => {
          bad = bad ? !rng.chance(badToGood) : rng.chance(goodToBad);
          if (rng.chance(bad ? lossInBad : lossInGood)) {
            ctx.drop(p, 'burst-loss');
            return [];
          }
          return [p];
        },
      };
    },
  };
}

/** The long-run loss rate of a Gilbert-Elliott configuration. */
export function burstLossRate(options: BurstLossOptions): number {
  const { goodToBad, badToGood, lossInGood = 0, lossInBad = 1 } = options;
  const total = goodToBad + badToGood;
  if (total === 0) return lossInGood;
  return (badToGood * lossInGood + goodToBad * lossInBad) / total;
}
