/**
 * Path MTU: datagrams larger than `bytes` (UDP payload size) are dropped.
 * @module
 */
import type { LinkElementSpec } from './element.ts';

export function mtu(bytes: number): LinkElementSpec {
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`mtu must be a non-negative integer, got ${bytes}`);
  return {
    name: `mtu(${bytes})`,
    create: () => ({
      name: `mtu(${bytes})`,
      process: (p, ctx) => {
        if (p.data.length > bytes) {
          ctx.drop(p, 'mtu');
          return [];
        }
        return [p];
      },
    }),
  };
}
