/**
 * Receiver-side acknowledgment state of one packet number space (RFC 9000 §13.2): which packet
 * numbers arrived, duplicate detection, when an ACK frame is due, ECN counts (§13.4.1), and the
 * content of the next ACK frame.
 * @module
 */
import type { AckFrame, AckRange } from '../frame/types.ts';
import { DEFAULT_MAX_ACK_DELAY, PacketNumberSpace } from './constants.ts';
import { RangeSet } from './range-set.ts';

/** ECN codepoint of a received datagram, as the two low bits of the IP TOS / traffic class. */
export const EcnCodepoint = {
  NotEct: 0b00,
  Ect1: 0b01,
  Ect0: 0b10,
  Ce: 0b11,
} as const;
export type EcnCodepoint = (typeof EcnCodepoint)[keyof typeof EcnCodepoint];

export interface AckTrackerOptions {
  /** Our max_ack_delay in ms, the longest an ack-eliciting 1-RTT packet waits (default 25). */
  maxAckDelay?: number;
  /** Ack-eliciting ApplicationData packets that make an ACK due at once (default 2, §13.2.2). */
  ackElicitingThreshold?: number;
  /** Most ranges remembered; the oldest are forgotten beyond this (default 64, §13.2.3). */
  maxRanges?: number;
}

export class AckTracker {
  readonly space: PacketNumberSpace;
  readonly maxAckDelay: number;
  readonly ackElicitingThreshold: number;
  readonly maxRanges: number;
  /** ECN counts of the packets received in this space (RFC 9000 §13.4.1). */
  ect0 = 0;
  ect1 = 0;
  ce = 0;
  readonly #received = new RangeSet();
  /** Packet numbers below this are no longer tracked and count as duplicates (§13.2.3). */
  #floor = 0;
  #largest = -1;
  #largestTime = 0;
  #largestAckEliciting = -1;
  /** Ack-eliciting packets received since the last ACK frame was sent. */
  #unackedEliciting = 0;
  /** Packets of any kind received since the last ACK frame was sent. */
  #unacked = 0;
  /** Time by which an ACK frame must be sent, or -1 when none is due. */
  #deadline = -1;

  constructor(space: PacketNumberSpace, options: AckTrackerOptions = {}) {
    this.space = space;
    this.maxAckDelay = options.maxAckDelay ?? DEFAULT_MAX_ACK_DELAY;
    this.ackElicitingThreshold = options.ackElicitingThreshold ?? 2;
    this.maxRanges = options.maxRanges ?? 64;
    if (!(this.maxRanges >= 1)) throw new RangeError(`maxRanges must be at least 1, got ${this.maxRanges}`);
  }

  /** Largest packet number received so far, or -1 (kept even when ranges are forgotten). */
  get largestReceived(): number {
    return this.#largest;
  }

  /** Smallest packet number still accepted; anything below is reported as a duplicate. */
  get floor(): number {
    return this.#floor;
  }

  /** The tracked ranges (read-only view for logs and tests). */
  get ranges(): RangeSet {
    return this.#received;
  }

  /** True when `pn` was already received, or is below the tracked window (§13.2.3). */
  isDuplicate(pn: number): boolean {
    return pn < this.#floor || this.#received.has(pn);
  }

  /**
   * Records a successfully processed packet. Returns false, changing nothing, for a duplicate
   * (which the connection should then ignore, RFC 9000 §12.3). `ecn` is the datagram's codepoint.
   */
  onPacketReceived(pn: number, ackEliciting: boolean, now: number, ecn: number = EcnCodepoint.NotEct): boolean {
    if (pn < this.#floor || !this.#received.insert(pn)) return false;
    if (pn > this.#largest) {
      this.#largest = pn;
      this.#largestTime = now;
    }
    // RFC 9000 §13.4.1: each codepoint is counted per packet number space.
    if (ecn === EcnCodepoint.Ect0) this.ect0++;
    else if (ecn === EcnCodepoint.Ect1) this.ect1++;
    else if (ecn === EcnCodepoint.Ce) this.ce++;
    this.#unacked++;
    if (ackEliciting) this.#onAckEliciting(pn, now, ecn === EcnCodepoint.Ce);
    if (this.#received.length > this.maxRanges) {
      const hi = this.#received.popMin()!;
      this.#floor = hi + 1;
    }
    return true;
  }

  #onAckEliciting(pn: number, now: number, ce: boolean): void {
    this.#unackedEliciting++;
    let immediate = this.space !== PacketNumberSpace.ApplicationData; // §13.2.1: Initial, Handshake
    if (!immediate) {
      if (pn < this.#largestAckEliciting) {
        immediate = true; // §13.2.1: arrived out of order
      } else {
        // §13.2.1: a gap between the previous largest ack-eliciting packet and this one.
        const idx = this.#received.indexOf(pn);
        if (this.#received.lo(idx) > this.#largestAckEliciting + 1 && this.#largestAckEliciting >= 0) immediate = true;
      }
      if (ce) immediate = true; // §13.2.1: CE-marked packets are acknowledged at once
      if (this.#unackedEliciting >= this.ackElicitingThreshold) immediate = true; // §13.2.2
    }
    if (pn > this.#largestAckEliciting) this.#largestAckEliciting = pn;
    const due = immediate ? now : now + this.maxAckDelay;
    if (this.#deadline < 0 || due < this.#deadline) this.#deadline = due;
  }

  /**
   * The time by which an ACK frame must be sent (a time at or before `now` means at once), or
   * undefined when no ack-eliciting packet is waiting.
   */
  ackDeadline(): number | undefined {
    return this.#deadline < 0 ? undefined : this.#deadline;
  }

  /** True when an ACK frame is due at `now`. */
  ackDue(now: number): boolean {
    return this.#deadline >= 0 && now >= this.#deadline;
  }

  /**
   * True when packets arrived since the last ACK frame: an ACK can ride along with other frames
   * even if none is due yet.
   */
  get hasNewPackets(): boolean {
    return this.#unacked > 0;
  }

  /**
   * Content of an ACK frame for `now`: the largest packet number, the ACK Delay field (time since
   * the largest arrived, in microseconds scaled down by `ackDelayExponent`, RFC 9000 §19.3),
   * at most `maxRanges` ranges newest first, and ECN counts once any ECN codepoint was seen.
   * Returns null when nothing is tracked. Building does not count as sending: call
   * {@link onAckSent} when the frame goes out.
   */
  buildAck(now: number, ackDelayExponent: number, maxRanges: number = this.maxRanges): AckFrame | null {
    const set = this.#received;
    const n = set.length;
    if (n === 0) return null;
    const largest = set.hi(n - 1);
    const delayUs = now > this.#largestTime ? (now - this.#largestTime) * 1000 : 0;
    const ackDelay = Math.floor(delayUs / 2 ** ackDelayExponent);
    const count = maxRanges < n ? (maxRanges < 1 ? 1 : maxRanges) : n;
    const ranges: AckRange[] = new Array(count);
    for (let k = 0; k < count; k++) ranges[k] = [set.lo(n - 1 - k), set.hi(n - 1 - k)];
    const frame: AckFrame = { type: 'ack', largest, ackDelay, ranges };
    if (this.ect0 + this.ect1 + this.ce > 0) frame.ecn = { ect0: this.ect0, ect1: this.ect1, ce: this.ce };
    return frame;
  }

  /** An ACK frame built by {@link buildAck} was sent: nothing is due until new packets arrive. */
  onAckSent(): void {
    this.#unacked = 0;
    this.#unackedEliciting = 0;
    this.#deadline = -1;
  }

  /**
   * A packet that carried an ACK frame with Largest Acknowledged `largestAcked` was itself
   * acknowledged: stop acknowledging packet numbers up to it (RFC 9000 §13.2.4) and treat them
   * as duplicates from now on (§13.2.3: a minimum packet number that only grows).
   */
  onAckAcknowledged(largestAcked: number): void {
    if (largestAcked < this.#floor) return;
    this.#floor = largestAcked + 1;
    this.#received.removeBelow(this.#floor);
  }
}
