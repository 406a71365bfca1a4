/**
 * A bottleneck: datagrams are serialized one after another at `bitsPerSecond` (a datagram of
 * n bytes occupies the link for n * 8 / rate seconds and leaves when its last bit is sent), behind
 * a FIFO queue with tail drop. Place it before jitter or reordering elements: it assumes
 * datagrams reach it in time order.
 * @module
 */
import type { InFlight, LinkElementSpec } from './element.ts';

export interface BandwidthOptions {
  bitsPerSecond: number;
  /** Largest number of bytes waiting or being sent; a datagram that would exceed it is dropped. */
  queueBytes?: number;
  /** Largest number of datagrams waiting or being sent. */
  queuePackets?: number;
}

export function bandwidth(options: BandwidthOptions | number): LinkElementSpec {
  const { bitsPerSecond, queueBytes = Infinity, queuePackets = Infinity } = typeof options === 'number' ? { bitsPerSecond: options } : options;
  if (!(bitsPerSecond > 0) || !Number.isFinite(bitsPerSecond)) throw new RangeError(`bitsPerSecond must be positive, got ${bitsPerSecond}`);
  if (!(queueBytes >= 0) || !(queuePackets >= 0)) throw new RangeError('queue limits must be non-negative');
  const name = `bandwidth(${bitsPerSecond})`;
  return {
    name,
    create: () => {
      let busyUntil = -Infinity;
      /** Departure times and sizes of datagrams still queued or being sent. */
      const queue: Array<{ leaves: number; bytes: number }> = [];
      let queuedBytes = 0;
      return {
        name,
        process: (p: InFlight, ctx) => {
          while (queue.length > 0 && queue[0]!.leaves <= p.time) queuedBytes -= queue.shift()!.bytes;
          if (queuedBytes + p.data.length > queueBytes || queue.length + 1 > queuePackets) {
            ctx.drop(p, 'queue');
            return [];
          }
          const start = Math.max(p.time, busyUntil);
          busyUntil = start + (p.data.length * 8 * 1000) / bitsPerSecond;
          queue.push({ leaves: busyUntil, bytes: p.data.length });
          queuedBytes += p.data.length;
          p.time = busyUntil;
          return [p];
        },
      };
    },
  };
}
