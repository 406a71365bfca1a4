/**
 * Random extra delay, uniform in [0, max] ms. By default the link stays first-in first-out (a
 * datagram never overtakes an earlier one, it waits behind it); with `reorder: true` each
 * datagram's delay is independent, so later datagrams can arrive first.
 * @module
 */
import { checkDuration, type LinkElementSpec } from './element.ts';

export interface JitterOptions {
  /** Largest extra delay in ms. */
  max: number;
  /** Let datagrams overtake each other (default false). */
  reorder?: boolean;
}

export function jitter(options: JitterOptions | number): LinkElementSpec {
  const { max, reorder = false } = typeof options === 'number' ? { max: options } : options;
  checkDuration(max, 'jitter max');
  const name = `jitter(${max}${reorder ? ', reorder' : ''})`;
  return {
    name,
    create: (rng) => {
      let lastOut = -Infinity;
      return {
        name,
        process: (p) => {
          p.time += rng.range(0, max);
          if (!reorder) p.time = Math.max(p.time, lastOut);
          lastOut = Math.max(lastOut, p.time);
          return [p];
        },
      };
    },
  };
}
