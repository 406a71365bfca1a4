/**
 * Link elements made for connection scenarios: a switchable blackhole, dropping chosen datagrams
 * by their index in a direction, and a tap that sees every datagram with its time.
 */
import type { InFlight, LinkElementSpec } from '@quicts/testkit';

/** A switch shared by the elements of both directions. */
export interface Switch {
  on: boolean;
}

/** Drops every datagram sent while `sw.on` is true. */
export function blackhole(sw: Switch): LinkElementSpec {
  return {
    name: 'blackhole',
    create: () => ({
      name: 'blackhole',
      process: (p, ctx) => {
        if (!sw.on) return [p];
        ctx.drop(p, 'loss');
        return [];
      },
    }),
  };
}

/** Drops the datagrams whose index (0-based, in send order) `drop(index)` picks. */
export function dropWhere(drop: (index: number, p: InFlight) => boolean): LinkElementSpec {
  return {
    name: 'dropWhere',
    create: () => {
      let index = 0;
      return {
        name: 'dropWhere',
        process: (p, ctx) => {
          if (drop(index++, p)) {
            ctx.drop(p, 'loss');
            return [];
          }
          return [p];
        },
      };
    },
  };
}

/** Calls `see` with every datagram passing this point (its time is when it leaves this element). */
export function tap(see: (p: InFlight) => void): LinkElementSpec {
  return {
    name: 'tap',
    create: () => ({
      name: 'tap',
      process: (p) => {
        see(p);
        return [p];
      },
    }),
  };
}
