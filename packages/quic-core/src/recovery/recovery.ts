/**
 * Loss detection, congestion control and pacing of one path wired together the way RFC 9002
 * Appendix A and B call each other: the connection reports packets sent, ACK frames and timer
 * expiries here, and gets back the same plain outcomes {@link LossDetection} produces (what was
 * acknowledged, what was lost and must be requeued, which probes to send). The controller's
 * bytes in flight stay equal to the loss detector's.
 * @module
 */
import type { AckFrame, AckRange, EcnCounts } from '../frame/types.ts';
import type { PacketNumberSpace } from './constants.ts';
import { createCongestionController, type CongestionConfig, type CongestionController } from './congestion/controller.ts';
import { LossDetection, decodeAckDelay, type AckOutcome, type LossDetectionOptions, type TimeoutOutcome } from './loss-detection.ts';
import { Pacer, type PacerOptions } from './pacer.ts';
import type { RttEstimator } from './rtt.ts';
import type { SentPacket } from './sent-packets.ts';

export interface RecoveryOptions extends LossDetectionOptions {
  /** A controller, or the configuration of one (default CUBIC). */
  congestion?: CongestionConfig | CongestionController;
  /** Default 1200. */
  maxDatagramSize?: number;
  /** Pacing (default on). */
  pacing?: boolean | PacerOptions;
  /** Undo a window reduction when its loss proves spurious (RFC 9438 §4.9.2; default false). */
  undoSpuriousLoss?: boolean;
}

export class Recovery<F = unknown> {
  readonly loss: LossDetection<F>;
  readonly cc: CongestionController;
  readonly pacer: Pacer | null;
  readonly undoSpuriousLoss: boolean;

  constructor(options: RecoveryOptions) {
    this.loss = new LossDetection<F>(options);
    const mds = options.maxDatagramSize;
    const cc = options.congestion;
    this.cc = cc !== undefined && 'onPacketsAcked' in cc ? cc : createCongestionController(cc ?? {}, mds);
    const pacing = options.pacing ?? true;
    if (pacing === false) this.pacer = null;
    else {
      const po: PacerOptions = pacing === true ? {} : { ...pacing };
      po.maxDatagramSize = this.cc.maxDatagramSize;
      this.pacer = new Pacer(po);
    }
    this.undoSpuriousLoss = options.undoSpuriousLoss ?? false;
  }

  get rtt(): RttEstimator {
    return this.loss.rtt;
  }

  /** When the connection must call {@link onLossDetectionTimeout}, or undefined. */
  timerDeadline(): number | undefined {
    return this.loss.timerDeadline();
  }

  /** True when an in-flight packet of `bytes` fits the congestion window (probes ignore this). */
  canSend(bytes: number): boolean {
    return this.cc.canSend(bytes);
  }

  /** Earliest time a paced packet of `bytes` may leave (`now` without pacing). */
  nextSendTime(now: number, bytes: number): number {
    const pacer = this.pacer;
    if (pacer === null) return now;
    pacer.setRate(this.cc.window, this.loss.rtt.smoothed, this.cc.maxDatagramSize);
    return pacer.nextSendTime(now, bytes);
  }

  onPacketSent(space: PacketNumberSpace, packet: SentPacket<F>): void {
    this.loss.onPacketSent(space, packet);
    if (packet.inFlight) {
      this.cc.onPacketSent(packet.timeSent, packet.size);
      this.pacer?.onPacketSent(packet.timeSent, packet.size);
    }
  }

  onAckFrame(space: PacketNumberSpace, frame: AckFrame, ackDelayExponent: number, now: number): AckOutcome<F> {
    return this.onAckReceived(space, frame.ranges, decodeAckDelay(frame.ackDelay, ackDelayExponent), frame.ecn, now);
  }

  /** RFC 9002 A.7 with the B.7/B.8 controller calls, in the pseudocode's order. */
  onAckReceived(space: PacketNumberSpace, ranges: readonly AckRange[], ackDelay: number, ecn: EcnCounts | undefined, now: number): AckOutcome<F> {
    const out = this.loss.onAckReceived(space, ranges, ackDelay, ecn, now);
    const cc = this.cc;
    if (out.spuriousLoss && this.undoSpuriousLoss) cc.onSpuriousCongestionEvent();
    if (out.acked.length === 0) return out;
    if (out.ecnCeSentTime >= 0) cc.onEcnCe(now, out.ecnCeSentTime);
    this.#onLost(now, out.lost, out.lostSentTime, out.persistentCongestion);
    cc.onPacketsAcked(now, out.acked, this.loss.rtt);
    return out;
  }

  /** RFC 9002 A.9; a call before the deadline returns `{ kind: 'none' }`. */
  onLossDetectionTimeout(now: number): TimeoutOutcome<F> {
    const out = this.loss.onLossDetectionTimeout(now);
    if (out.kind === 'loss') this.#onLost(now, out.lost, out.lostSentTime, out.persistentCongestion);
    return out;
  }

  /** Initial or Handshake keys discarded: packets leave flight with no congestion signal. */
  discardSpace(space: PacketNumberSpace, now: number): SentPacket<F>[] {
    const packets = this.loss.discardSpace(space, now);
    this.cc.removeFromFlight(inFlightBytes(packets));
    return packets;
  }

  /** All packets of `space` removed for resending (0-RTT rejected), the space stays usable. */
  drainSpace(space: PacketNumberSpace, now: number): SentPacket<F>[] {
    const packets = this.loss.drainSpace(space, now);
    this.cc.removeFromFlight(inFlightBytes(packets));
    return packets;
  }

  /** A Retry arrived: loss recovery and congestion control restart (RFC 9002 §6.3). */
  reset(): SentPacket<F>[] {
    const packets = this.loss.reset();
    this.cc.reset();
    return packets;
  }

  /** RFC 9002 B.8 OnPacketsLost. */
  #onLost(now: number, lost: readonly SentPacket<F>[], lostSentTime: number, persistent: boolean): void {
    if (lost.length === 0) return;
    this.cc.removeFromFlight(inFlightBytes(lost));
    if (lostSentTime >= 0) this.cc.onCongestionEvent(now, lostSentTime);
    if (persistent) this.cc.onPersistentCongestion(now);
  }
}

function inFlightBytes<F>(packets: readonly SentPacket<F>[]): number {
  let n = 0;
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i]!;
    if (p.inFlight) n += p.size;
  }
  return n;
}
