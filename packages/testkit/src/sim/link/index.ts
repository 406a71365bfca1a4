/** Link elements: each a small, composable stage of one direction of a simulated link. @module */
export type { InFlight, LinkContext, LinkElement, LinkElementSpec } from './element.ts';
export { delay } from './delay.ts';
export { jitter, type JitterOptions } from './jitter.ts';
export { loss, burstLoss, burstLossRate, type BurstLossOptions } from './loss.ts';
export { reorder, type ReorderOptions } from './reorder.ts';
export { duplicate, type DuplicateOptions } from './duplicate.ts';
export { corrupt, type CorruptOptions } from './corrupt.ts';
export { bandwidth, type BandwidthOptions } from './bandwidth.ts';
export { mtu } from './mtu.ts';
