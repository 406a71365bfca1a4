/**
 * Sender-side loss detection (RFC 9002 §6 and Appendix A): the sent-packet records of the three
 * packet number spaces, ACK processing (newly acknowledged packets, RTT samples), packet- and
 * time-threshold loss, the single loss detection timer (loss time or PTO with exponential
 * backoff, anti-amplification and address-validation rules of §6.2.2.1), persistent congestion
 * (§7.6) and discarding a space (§6.4).
 *
 * It does not touch the congestion controller or any connection state: every input returns a
 * plain outcome (what was acknowledged, what was lost, which congestion signals arose) for the
 * caller to act on; {@link Recovery} wires it to a controller.
 * @module
 */
import { TransportError, TransportErrorCode } from '../errors.ts';
import { FrameType, type AckFrame, type AckRange, type EcnCounts } from '../frame/types.ts';
import {
  DEFAULT_MAX_ACK_DELAY, GRANULARITY, PACKET_NUMBER_SPACES, PACKET_THRESHOLD, PacketNumberSpace,
  PERSISTENT_CONGESTION_THRESHOLD, TIME_THRESHOLD,
} from './constants.ts';
import { RangeSet } from './range-set.ts';
import { RttEstimator } from './rtt.ts';
import { SentPacketList, type SentPacket } from './sent-packets.ts';

export interface LossDetectionOptions {
  /** Servers consider the peer's address validated from the start (RFC 9002 A.8). */
  isServer: boolean;
  /** kInitialRtt in ms (default 333). */
  initialRtt?: number;
  /** kPacketThreshold (default 3). */
  packetThreshold?: number;
  /** kTimeThreshold (default 9/8). */
  timeThreshold?: number;
  /** kPersistentCongestionThreshold (default 3). */
  persistentCongestionThreshold?: number;
  /** The peer's max_ack_delay in ms until its transport parameters say otherwise (default 25). */
  maxAckDelay?: number;
}

/** What an ACK frame did. Packet arrays are fresh and owned by the caller. */
export interface AckOutcome<F> {
  /** Newly acknowledged packets, ascending packet numbers. */
  acked: SentPacket<F>[];
  /** Packets newly declared lost, ascending packet numbers. */
  lost: SentPacket<F>[];
  /** The ACK produced an RTT sample (RFC 9002 §5.1). */
  rttSampled: boolean;
  /** Send time of the newest in-flight lost packet (the congestion event's key), or -1. */
  lostSentTime: number;
  /** The losses establish persistent congestion (RFC 9002 §7.6.2). */
  persistentCongestion: boolean;
  /** Send time of the largest newly acknowledged packet when the ECN-CE count grew, or -1. */
  ecnCeSentTime: number;
  /** An in-flight packet declared lost earlier (among the last few dozen) was acknowledged. */
  spuriousLoss: boolean;
}

/** What a loss detection timeout asks for. */
export type TimeoutOutcome<F> =
  | { kind: 'none' }
  /** Time-threshold losses in `space` (RFC 9002 §6.1.2). */
  | { kind: 'loss'; space: PacketNumberSpace; lost: SentPacket<F>[]; lostSentTime: number; persistentCongestion: boolean }
  /**
   * Send `probes` ack-eliciting packets in `space`, not blocked by congestion control (§6.2.4).
   * `antiDeadlock`: nothing is in flight; a client proves its address with one Handshake packet
   * or a padded Initial (§6.2.2.1).
   */
  | { kind: 'pto'; space: PacketNumberSpace; probes: number; antiDeadlock: boolean };

const NONE: TimeoutOutcome<never> = { kind: 'none' };

/** Decodes an ACK Delay field into ms (RFC 9000 §19.3). */
export function decodeAckDelay(field: number, ackDelayExponent: number): number {
  return (field * 2 ** ackDelayExponent) / 1000;
}

export class LossDetection<F = unknown> {
  readonly rtt: RttEstimator;
  readonly isServer: boolean;
  readonly packetThreshold: number;
  readonly timeThreshold: number;
  readonly persistentCongestionThreshold: number;
  /** The peer's max_ack_delay in ms. */
  maxAckDelay: number;
  /** PTO backoff exponent (RFC 9002 A.3 pto_count). */
  ptoCount = 0;
  // Array literals of exactly three: pushing into [] would reserve room for 17 per array.
  readonly #spaces: SentPacketList<F>[] = [new SentPacketList<F>(), new SentPacketList<F>(), new SentPacketList<F>()];
  readonly #lostPns: RangeSet[] = [new RangeSet(), new RangeSet(), new RangeSet()];
  readonly #largestAcked = [-1, -1, -1];
  readonly #lossTime = [-1, -1, -1];
  readonly #lastAckElicitingTime = [0, 0, 0];
  readonly #ecnCe = [0, 0, 0];
  readonly #discarded = [false, false, false];
  #handshakeConfirmed = false;
  #hasHandshakeKeys = false;
  #handshakeAckReceived = false;
  #amplificationBlocked = false;
  #timer = -1;
  #ptoSpace: PacketNumberSpace = PacketNumberSpace.Initial;
  // Side results of #detectLost, read right after each call.
  #lostSentTime = -1;
  #persistentCongestion = false;

  constructor(options: LossDetectionOptions) {
    this.isServer = options.isServer;
    this.rtt = new RttEstimator(options.initialRtt);
    this.packetThreshold = options.packetThreshold ?? PACKET_THRESHOLD;
    this.timeThreshold = options.timeThreshold ?? TIME_THRESHOLD;
    this.persistentCongestionThreshold = options.persistentCongestionThreshold ?? PERSISTENT_CONGESTION_THRESHOLD;
    this.maxAckDelay = options.maxAckDelay ?? DEFAULT_MAX_ACK_DELAY;
  }

  // ---- state the connection reports ----

  get handshakeConfirmed(): boolean {
    return this.#handshakeConfirmed;
  }

  /** The handshake is confirmed (RFC 9001 §4.1.2): ApplicationData PTOs may be armed. */
  onHandshakeConfirmed(now: number): void {
    this.#handshakeConfirmed = true;
    this.#setTimer(now);
  }

  /** Handshake keys are available: an anti-deadlock probe is then a Handshake packet. */
  onHandshakeKeysAvailable(): void {
    this.#hasHandshakeKeys = true;
  }

  /**
   * A server reports whether it is at its anti-amplification limit (RFC 9000 §8.1). When a
   * datagram unblocks it, the timer is re-armed; if the new deadline has passed, the caller runs
   * {@link onLossDetectionTimeout} at once (RFC 9002 A.6).
   */
  setAmplificationBlocked(blocked: boolean, now: number): void {
    if (blocked === this.#amplificationBlocked) return;
    this.#amplificationBlocked = blocked;
    this.#setTimer(now);
  }

  /** RFC 9002 A.8 PeerCompletedAddressValidation. */
  get peerCompletedAddressValidation(): boolean {
    return this.isServer || this.#handshakeAckReceived || this.#handshakeConfirmed;
  }

  // ---- queries ----

  /** When the caller must call {@link onLossDetectionTimeout}, or undefined. */
  timerDeadline(): number | undefined {
    return this.#timer < 0 ? undefined : this.#timer;
  }

  /** The sent-packet record of a space (read-only use). */
  sentPackets(space: PacketNumberSpace): SentPacketList<F> {
    return this.#spaces[space]!;
  }

  /** Largest packet number the peer acknowledged in `space`, or -1. */
  largestAcked(space: PacketNumberSpace): number {
    return this.#largestAcked[space]!;
  }

  /** Time-threshold loss time of `space`, or -1. */
  lossTime(space: PacketNumberSpace): number {
    return this.#lossTime[space]!;
  }

  isDiscarded(space: PacketNumberSpace): boolean {
    return this.#discarded[space]!;
  }

  /** Bytes in flight over all spaces. */
  get bytesInFlight(): number {
    const s = this.#spaces;
    return s[0]!.bytesInFlight + s[1]!.bytesInFlight + s[2]!.bytesInFlight;
  }

  /** Ack-eliciting packets in flight over all spaces. */
  get ackElicitingInFlight(): number {
    const s = this.#spaces;
    return s[0]!.ackElicitingInFlight + s[1]!.ackElicitingInFlight + s[2]!.ackElicitingInFlight;
  }

  /** The PTO period of `space` with the current backoff (RFC 9002 §6.2.1). */
  ptoPeriod(space: PacketNumberSpace): number {
    return this.basePtoPeriod(space) * 2 ** this.ptoCount;
  }

  /** The PTO period of `space` without backoff (RFC 9002 §6.2.1). */
  basePtoPeriod(space: PacketNumberSpace): number {
    const ackDelay = space === PacketNumberSpace.ApplicationData ? this.maxAckDelay : 0;
    return this.rtt.pto(ackDelay);
  }

  // ---- events ----

  /** Records a sent packet (RFC 9002 A.5). ACK-only packets are recorded too (RFC 9000 §13.2.4). */
  onPacketSent(space: PacketNumberSpace, packet: SentPacket<F>): void {
    if (this.#discarded[space]) throw new RangeError(`packet number space ${space} was discarded`);
    this.#spaces[space]!.add(packet);
    if (packet.inFlight) {
      if (packet.ackEliciting) this.#lastAckElicitingTime[space] = packet.timeSent;
      this.#setTimer(packet.timeSent);
    }
  }

  /** {@link onAckReceived} for a decoded ACK frame, given the peer's ack_delay_exponent. */
  onAckFrame(space: PacketNumberSpace, frame: AckFrame, ackDelayExponent: number, now: number): AckOutcome<F> {
    return this.onAckReceived(space, frame.ranges, decodeAckDelay(frame.ackDelay, ackDelayExponent), frame.ecn, now);
  }

  /**
   * Processes an ACK frame of `space` (RFC 9002 A.7): `ranges` descending `[smallest, largest]`,
   * `ackDelay` decoded to ms. Throws PROTOCOL_VIOLATION for an acknowledgment of a packet
   * number never sent (RFC 9000 §13.1).
   */
  onAckReceived(space: PacketNumberSpace, ranges: readonly AckRange[], ackDelay: number, ecn: EcnCounts | undefined, now: number): AckOutcome<F> {
    const outcome: AckOutcome<F> = {
      acked: [], lost: [], rttSampled: false, lostSentTime: -1, persistentCongestion: false, ecnCeSentTime: -1, spuriousLoss: false,
    };
    if (this.#discarded[space] || ranges.length === 0) return outcome;
    const list = this.#spaces[space]!;
    const largest = ranges[0]![1];
    if (largest > list.largestSent) {
      throw new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, `ACK of packet ${largest}, never sent`, FrameType.ACK);
    }
    if (largest > this.#largestAcked[space]!) this.#largestAcked[space] = largest;
    if (space === PacketNumberSpace.Handshake) this.#handshakeAckReceived = true;

    const acked = outcome.acked;
    const lostPns = this.#lostPns[space]!;
    // Ranges arrive descending; walk them backwards so `acked` comes out ascending.
    for (let k = ranges.length - 1; k >= 0; k--) {
      const range = ranges[k]!;
      const lo = range[0];
      const hi = range[1];
      list.removeRange(lo, hi, acked);
      if (!lostPns.isEmpty && lostPns.intersects(lo, hi)) {
        outcome.spuriousLoss = true;
        lostPns.remove(lo, hi);
      }
    }
    if (acked.length === 0) return outcome;

    const newest = acked[acked.length - 1]!;
    // RFC 9002 §5.1: sample only when the largest is newly acknowledged and something
    // ack-eliciting was newly acknowledged.
    if (newest.pn === largest && includesAckEliciting(acked)) {
      // RFC 9002 §5.3: Initial acknowledgments are not delayed; ack delay is capped only after
      // handshake confirmation.
      const delay = space === PacketNumberSpace.Initial ? 0 : ackDelay;
      this.rtt.update(now - newest.timeSent, delay, now, this.#handshakeConfirmed ? this.maxAckDelay : Infinity);
      outcome.rttSampled = true;
    }
    // RFC 9002 B.7 ProcessECN.
    if (ecn !== undefined && ecn.ce > this.#ecnCe[space]!) {
      this.#ecnCe[space] = ecn.ce;
      outcome.ecnCeSentTime = newest.timeSent;
    }
    this.#detectLost(space, now, outcome.lost);
    outcome.lostSentTime = this.#lostSentTime;
    outcome.persistentCongestion = this.#persistentCongestion;
    // RFC 9002 §5.2: min_rtt restarts after persistent congestion.
    if (this.#persistentCongestion) this.rtt.resetMinToLatest();
    // RFC 9002 §6.2.1: a client unsure that the server validated its address keeps the backoff.
    if (this.peerCompletedAddressValidation) this.ptoCount = 0;
    this.#setTimer(now);
    return outcome;
  }

  /**
   * The loss detection timer fired (RFC 9002 A.9). Calls before {@link timerDeadline} do nothing.
   */
  onLossDetectionTimeout(now: number): TimeoutOutcome<F> {
    if (this.#timer < 0 || now < this.#timer) return NONE;
    const lossSpace = this.#earliestLossSpace();
    if (lossSpace >= 0) {
      const lost: SentPacket<F>[] = [];
      this.#detectLost(lossSpace as PacketNumberSpace, now, lost);
      if (this.#persistentCongestion) this.rtt.resetMinToLatest();
      const outcome: TimeoutOutcome<F> = {
        kind: 'loss', space: lossSpace as PacketNumberSpace, lost, lostSentTime: this.#lostSentTime, persistentCongestion: this.#persistentCongestion,
      };
      this.#setTimer(now);
      return outcome;
    }
    let outcome: TimeoutOutcome<F>;
    if (this.ackElicitingInFlight === 0) {
      // Anti-deadlock probe from a client whose address the server may not have validated yet.
      const space = this.#hasHandshakeKeys ? PacketNumberSpace.Handshake : PacketNumberSpace.Initial;
      outcome = { kind: 'pto', space, probes: 1, antiDeadlock: true };
    } else {
      this.#ptoTime(now);
      outcome = { kind: 'pto', space: this.#ptoSpace, probes: 2, antiDeadlock: false };
    }
    this.ptoCount++;
    this.#setTimer(now);
    return outcome;
  }

  /**
   * Initial or Handshake keys were discarded (RFC 9002 §6.4, A.11): the space's packets leave
   * the record (returned, so in-flight bytes can be released without a congestion signal), its
   * timers reset, the PTO backoff resets, and later ACKs for it are ignored.
   */
  discardSpace(space: PacketNumberSpace, now: number): SentPacket<F>[] {
    if (space === PacketNumberSpace.ApplicationData) throw new RangeError('the ApplicationData space is never discarded');
    const out = this.#clearSpace(space);
    this.#discarded[space] = true;
    this.ptoCount = 0;
    this.#setTimer(now);
    return out;
  }

  /**
   * Removes and returns every packet of `space` without discarding the space, e.g. the 0-RTT
   * packets when the server rejects 0-RTT (RFC 9002 §6.4): their content is to be resent.
   */
  drainSpace(space: PacketNumberSpace, now: number): SentPacket<F>[] {
    const out = this.#clearSpace(space);
    this.#setTimer(now);
    return out;
  }

  /**
   * A Retry arrived (RFC 9002 §6.3): all loss recovery state restarts and every recorded packet
   * is returned for its content to be sent again. The RTT estimator is kept (the caller may
   * reset it with a measured initial RTT).
   */
  reset(): SentPacket<F>[] {
    const out: SentPacket<F>[] = [];
    for (let s = 0; s < PACKET_NUMBER_SPACES; s++) {
      this.#spaces[s]!.drain(out);
      this.#lostPns[s]!.clear();
      this.#largestAcked[s] = -1;
      this.#lossTime[s] = -1;
      this.#lastAckElicitingTime[s] = 0;
      this.#ecnCe[s] = 0;
    }
    this.ptoCount = 0;
    this.#timer = -1;
    return out;
  }

  // ---- internals ----

  #clearSpace(space: PacketNumberSpace): SentPacket<F>[] {
    const out: SentPacket<F>[] = [];
    this.#spaces[space]!.drain(out);
    this.#lostPns[space]!.clear();
    this.#lastAckElicitingTime[space] = 0;
    this.#lossTime[space] = -1;
    return out;
  }

  /**
   * RFC 9002 A.10 DetectAndRemoveLostPackets, plus the persistent congestion test of B.8 over
   * the packets it declares lost. Sets #lostSentTime and #persistentCongestion.
   */
  #detectLost(space: PacketNumberSpace, now: number, out: SentPacket<F>[]): void {
    const list = this.#spaces[space]!;
    const largestAcked = this.#largestAcked[space]!;
    const rtt = this.rtt;
    this.#lossTime[space] = -1;
    this.#lostSentTime = -1;
    this.#persistentCongestion = false;
    if (largestAcked < 0) return;
    let lossDelay = this.timeThreshold * (rtt.latest > rtt.smoothed ? rtt.latest : rtt.smoothed);
    if (lossDelay < GRANULARITY) lossDelay = GRANULARITY;
    const threshold = this.packetThreshold;
    const lostPns = this.#lostPns[space]!;
    const firstSample = rtt.firstSampleTime;
    const pcDuration = rtt.persistentCongestionDuration(this.maxAckDelay, this.persistentCongestionThreshold);
    let pcStart = -1;
    let prevPn = -1;
    let lossTime = -1;
    for (let i = list.start, end = list.end; i < end; i++) {
      const p = list.at(i);
      if (p === undefined) continue;
      if (p.pn > largestAcked) break;
      // A gap in packet numbers is a packet acknowledged (or lost earlier) between two lost
      // ones: persistent congestion needs an unbroken run (RFC 9002 §7.6.2).
      if (p.pn !== prevPn + 1) pcStart = -1;
      prevPn = p.pn;
      // Sent at least lossDelay ago (A.10 time_sent <= now - loss_delay, written as the same sum
      // the loss time uses, so a timer firing at that time always finds the packet lost).
      const lostAt = p.timeSent + lossDelay;
      if (lostAt <= now || largestAcked >= p.pn + threshold) {
        list.removeAt(i);
        out.push(p);
        if (p.inFlight) {
          // Only in-flight losses can have moved the congestion window; ACK-only packets are
          // often acknowledged late and would look spurious.
          lostPns.insert(p.pn);
          if (p.timeSent > this.#lostSentTime) this.#lostSentTime = p.timeSent;
        }
        // RFC 9002 §7.6.2: two ack-eliciting losses, both sent after the first RTT sample,
        // further apart than the persistent congestion duration.
        if (p.ackEliciting && firstSample >= 0 && p.timeSent > firstSample) {
          if (pcStart < 0) pcStart = p.timeSent;
          else if (p.timeSent - pcStart > pcDuration) this.#persistentCongestion = true;
        }
      } else if (lossTime < 0 || lostAt < lossTime) {
        lossTime = lostAt;
      }
    }
    this.#lossTime[space] = lossTime;
    // Remember recent losses to notice spurious ones; keep the record small.
    while (lostPns.length > 32) lostPns.popMin();
  }

  /** RFC 9002 A.8 GetLossTimeAndSpace: the space with the earliest loss time, or -1. */
  #earliestLossSpace(): number {
    let space = -1;
    let time = -1;
    for (let s = 0; s < PACKET_NUMBER_SPACES; s++) {
      const t = this.#lossTime[s]!;
      if (t >= 0 && (time < 0 || t < time)) {
        time = t;
        space = s;
      }
    }
    return space;
  }

  /** RFC 9002 A.8 GetPtoTimeAndSpace: returns the time (Infinity if none), sets #ptoSpace. */
  #ptoTime(now: number): number {
    const backoff = 2 ** this.ptoCount;
    let duration = (this.rtt.smoothed + Math.max(4 * this.rtt.rttvar, GRANULARITY)) * backoff;
    if (this.ackElicitingInFlight === 0) {
      // Anti-deadlock PTO counts from now.
      this.#ptoSpace = this.#hasHandshakeKeys ? PacketNumberSpace.Handshake : PacketNumberSpace.Initial;
      return now + duration;
    }
    let timeout = Infinity;
    this.#ptoSpace = PacketNumberSpace.Initial;
    for (let s = 0; s < PACKET_NUMBER_SPACES; s++) {
      if (this.#spaces[s]!.ackElicitingInFlight === 0) continue;
      if (s === PacketNumberSpace.ApplicationData) {
        // RFC 9002 §6.2.1: no ApplicationData PTO before the handshake is confirmed.
        if (!this.#handshakeConfirmed) break;
        duration += this.maxAckDelay * backoff;
      }
      const t = this.#lastAckElicitingTime[s]! + duration;
      if (t < timeout) {
        timeout = t;
        this.#ptoSpace = s as PacketNumberSpace;
      }
    }
    return timeout;
  }

  /** RFC 9002 A.8 SetLossDetectionTimer. */
  #setTimer(now: number): void {
    const lossSpace = this.#earliestLossSpace();
    if (lossSpace >= 0) {
      this.#timer = this.#lossTime[lossSpace]!;
      return;
    }
    // RFC 9002 §6.2.2.1: a server that cannot send does not arm the PTO.
    if (this.#amplificationBlocked) {
      this.#timer = -1;
      return;
    }
    if (this.ackElicitingInFlight === 0 && this.peerCompletedAddressValidation) {
      this.#timer = -1;
      return;
    }
    const t = this.#ptoTime(now);
    this.#timer = t === Infinity ? -1 : t;
  }
}

function includesAckEliciting<F>(packets: readonly SentPacket<F>[]): boolean {
  for (let i = 0; i < packets.length; i++) if (packets[i]!.ackEliciting) return true;
  return false;
}
