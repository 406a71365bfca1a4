/**
 * The link-element contract. A datagram's fate is decided when it is sent: each element in a
 * direction's chain takes a datagram with the time it leaves the previous element and returns
 * zero (dropped), one, or more (duplicated) datagrams with the times they leave this one.
 * Elements see datagrams in send order, so stateful ones (bandwidth, FIFO jitter, bursty loss)
 * are deterministic; all randomness comes from the element's own seeded stream.
 * @module
 */
import type { SeededRandom } from '../../random.ts';
import type { DropCause } from '../stats.ts';

/** A datagram travelling through a link. The link owns `data` (a copy of what was sent). */
export interface InFlight {
  data: Uint8Array;
  /** Time (ms) at which it leaves the current element; at the end of the chain, its arrival time. */
  time: number;
  /** Sequence number in its direction, in send order (a duplicate keeps its original's number). */
  readonly seq: number;
}

/** What an element may report to the link's statistics and trace. */
export interface LinkContext {
  drop(packet: InFlight, cause: DropCause): void;
  note(packet: InFlight, event: 'duplicate' | 'corrupt'): void;
}

export interface LinkElement {
  readonly name: string;
  process(packet: InFlight, ctx: LinkContext): InFlight[];
}

/**
 * A recipe for an element. Each direction of a link creates its own instance with its own random
 * stream, so one spec can configure both directions without shared state.
 */
export interface LinkElementSpec {
  readonly name: string;
  create(rng: SeededRandom): LinkElement;
}

/** Throws RangeError unless `p` is a probability. */
export function checkProbability(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what} must be a probability in [0, 1], got ${p}`);
}

/** Throws RangeError unless `ms` is a finite non-negative duration. */
export function checkDuration(ms: number, what: string): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`${what} must be a non-negative duration in ms, got ${ms}`);
}
