/**
 * Fixed propagation delay: every datagram leaves exactly `ms` after it enters.
 * @module
 */
import { checkDuration, type LinkElementSpec } from './element.ts';

export function delay(ms: number): LinkElementSpec {
  checkDuration(ms, 'delay');
  return {
    name: `delay(${ms})`,
    create: () => ({
      name: `delay(${ms})`,
      process: (p) => {
        p.time += ms;
        return [p];
      },
    }),
  };
}
