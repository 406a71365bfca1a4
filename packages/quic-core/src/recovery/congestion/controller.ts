/**
 * The congestion controller interface (RFC 9002 §7) and its factory. NewReno and CUBIC are two
 * window-adjustment strategies over one classic core ({@link ClassicController}); other
 * algorithms (BBR) implement the same interface directly.
 *
 * Bytes in flight: the controller keeps its own count, fed by onPacketSent, onPacketsAcked and
 * removeFromFlight, as in RFC 9002 Appendix B, because canSend, the app-limited test and the
 * window growth rules all read it. Only in-flight packets (ack-eliciting or padded) are ever
 * passed in; {@link Recovery} keeps this count equal to the loss detector's.
 * @module
 */
import type { RttEstimator } from '../rtt.ts';
import { Cubic, type CubicOptions } from './cubic.ts';
import { NewReno } from './new-reno.ts';

/** The fields of a sent packet the controller reads. */
export interface CongestionPacket {
  readonly timeSent: number;
  readonly size: number;
  readonly inFlight: boolean;
}

export interface CongestionController {
  /** Algorithm name for logs and qlog ("newreno", "cubic"). */
  readonly name: string;
  /** Congestion window in bytes. */
  readonly window: number;
  /** Slow start threshold in bytes (Infinity until the first congestion event). */
  readonly ssthresh: number;
  /** Bytes of in-flight packets neither acknowledged, lost nor discarded. */
  readonly bytesInFlight: number;
  readonly maxDatagramSize: number;
  readonly inSlowStart: boolean;
  /** True for a packet sent at `sentTime` during the current recovery period (RFC 9002 B.5). */
  inRecovery(sentTime: number): boolean;
  /** True when `bytes` more may be sent without exceeding the window (probes bypass this). */
  canSend(bytes: number): boolean;
  /** Bytes that may still be sent, 0 when the window is full. */
  available(): number;
  /** An in-flight packet of `bytes` was sent (RFC 9002 B.4). */
  onPacketSent(now: number, bytes: number): void;
  /** Packets were newly acknowledged by one ACK frame (RFC 9002 B.5); non-in-flight ones are skipped. */
  onPacketsAcked(now: number, acked: readonly CongestionPacket[], rtt: RttEstimator): void;
  /** Lost or discarded in-flight bytes leave the count, with no congestion signal (B.9). */
  removeFromFlight(bytes: number): void;
  /** Loss of an in-flight packet sent at `sentTime` (RFC 9002 B.6). */
  onCongestionEvent(now: number, sentTime: number): void;
  /** The peer's ECN-CE count grew; `sentTime` is the largest acknowledged packet's (B.7). */
  onEcnCe(now: number, sentTime: number): void;
  /** Persistent congestion: the window collapses to the minimum (RFC 9002 §7.6.2). */
  onPersistentCongestion(now: number): void;
  /** A loss that reduced the window proved spurious: undo the reduction (RFC 9438 §4.9.2). */
  onSpuriousCongestionEvent(): void;
  /** The path's maximum datagram size changed (RFC 9002 §7.2). */
  onMtuUpdate(maxDatagramSize: number): void;
  /** Pacing rate in bytes per ms for a smoothed RTT: N * cwnd / srtt with N = 1.25 (§7.7). */
  pacingRate(smoothedRtt: number): number;
  /** Back to the initial state, e.g. after a Retry (RFC 9002 §6.3). */
  reset(): void;
}

export type CongestionAlgorithm = 'newreno' | 'cubic';

export interface CongestionConfig extends CubicOptions {
  /** Default 'cubic'. */
  algorithm?: CongestionAlgorithm;
}

/** Builds a controller for a path of the given maximum datagram size. */
export type CongestionControllerFactory = (maxDatagramSize: number) => CongestionController;

export function createCongestionController(config: CongestionConfig = {}, maxDatagramSize?: number): CongestionController {
  const options: CubicOptions = { ...config };
  if (maxDatagramSize !== undefined) options.maxDatagramSize = maxDatagramSize;
  switch (config.algorithm ?? 'cubic') {
    case 'newreno': return new NewReno(options);
    case 'cubic': return new Cubic(options);
    default: throw new RangeError(`unknown congestion control algorithm ${String(config.algorithm)}`);
  }
}

/** A factory bound to `config`, for the connection to build one controller per path. */
export function congestionControllerFactory(config: CongestionConfig = {}): CongestionControllerFactory {
  return (maxDatagramSize) => createCongestionController(config, maxDatagramSize);
}
