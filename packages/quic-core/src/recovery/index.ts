/**
 * Loss recovery and congestion control (RFC 9002, RFC 9438): the public surface of the
 * recovery module.
 * @module
 */
export {
  PacketNumberSpace, PACKET_NUMBER_SPACES, PACKET_THRESHOLD, TIME_THRESHOLD, GRANULARITY, INITIAL_RTT,
  PERSISTENT_CONGESTION_THRESHOLD, MIN_MAX_DATAGRAM_SIZE, DEFAULT_MAX_ACK_DELAY, DEFAULT_ACK_DELAY_EXPONENT,
  PACING_GAIN, initialWindow, minimumWindow,
} from './constants.ts';
export { RangeSet } from './range-set.ts';
export { RttEstimator } from './rtt.ts';
export { AckTracker, EcnCodepoint } from './ack-tracker.ts';
export type { AckTrackerOptions } from './ack-tracker.ts';
export { SentPacketList } from './sent-packets.ts';
export type { SentPacket } from './sent-packets.ts';
export { LossDetection, decodeAckDelay } from './loss-detection.ts';
export type { LossDetectionOptions, AckOutcome, TimeoutOutcome } from './loss-detection.ts';
export { Pacer } from './pacer.ts';
export type { PacerOptions } from './pacer.ts';
export { Recovery } from './recovery.ts';
export type { RecoveryOptions } from './recovery.ts';
export { createCongestionController, congestionControllerFactory } from './congestion/controller.ts';
export type {
  CongestionController, CongestionControllerFactory, CongestionConfig, CongestionAlgorithm, CongestionPacket,
} from './congestion/controller.ts';
export { ClassicController } from './congestion/classic.ts';
export type { WindowAdjustment, ClassicOptions } from './congestion/classic.ts';
export { NewReno, NewRenoWindow, NEW_RENO_LOSS_REDUCTION } from './congestion/new-reno.ts';
export { Cubic, CubicWindow, CUBIC_C, CUBIC_BETA } from './congestion/cubic.ts';
export type { CubicOptions } from './congestion/cubic.ts';
